/** How the calculator prints its values, for `conduit solve`'s transcript and the agents' calculator tool alike. */

/**
 * A result as people (and models) read it: integers exactly, at most 10 decimals, no float noise
 * (0.1 + 0.2 reads 0.3), no trailing zeros, no exponent for everyday sizes, never `-0`.
 */
export function formatCalculatorValue(value: number): string {
  if (Object.is(value, -0)) return '0';
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return String(value);
  const rounded = Number(value.toFixed(10));
  if (rounded !== 0 && Math.abs(rounded) >= 1e-6 && Math.abs(rounded) < 1e21) return String(rounded);
  const precise = Number(value.toPrecision(12));
  return Object.is(precise, -0) ? '0' : String(precise);
}
