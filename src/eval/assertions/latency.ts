/** `latency`: the call (or agent run) took at most `max_ms`. A cached result keeps the latency it was measured with. */
import { z } from 'zod';
import { failed, passed, type Assertion } from './assertion.js';
import { baseSpecFields } from './common.js';

export const latencySpec = z.strictObject({ type: z.literal('latency'), max_ms: z.number().positive(), ...baseSpecFields });
export type LatencySpec = z.output<typeof latencySpec>;

export function latencyAssertion(spec: LatencySpec): Assertion {
  return {
    type: 'latency',
    label: spec.label ?? `latency ≤ ${spec.max_ms} ms`,
    evaluate(output) {
      const ms = Math.round(output.latencyMs);
      return output.latencyMs <= spec.max_ms ? passed(`${ms} ms ≤ ${spec.max_ms} ms`) : failed(`${ms} ms exceeds the ceiling of ${spec.max_ms} ms`);
    },
  };
}
