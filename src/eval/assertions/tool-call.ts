/**
 * `tool-call`: checks the tool calls the model made (an agent run: every call across its steps).
 * - `name`: some call used this tool;
 * - `arguments`: …and that call's JSON arguments contain these (a deep subset: extra arguments are fine);
 * - `order`: these tools were called in this order (a subsequence: other calls may come between);
 * - `none: true`: no tool was called at all.
 */
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import type { ToolCall } from '../../core/messages.js';
import { failed, passed, type Assertion } from './assertion.js';
import { baseSpecFields } from './common.js';

export const toolCallSpec = z
  .strictObject({
    type: z.literal('tool-call'),
    name: z.string().min(1).optional(),
    arguments: z.record(z.string(), z.unknown()).optional(),
    order: z.array(z.string().min(1)).min(1).optional(),
    none: z.boolean().optional(),
    ...baseSpecFields,
  })
  .refine((s) => s.name !== undefined || s.order !== undefined || s.none === true, 'give name, order or none: true')
  .refine((s) => s.arguments === undefined || s.name !== undefined, { message: 'arguments needs name', path: ['arguments'] })
  .refine((s) => s.none !== true || (s.name === undefined && s.order === undefined), { message: 'none: true excludes name and order', path: ['none'] });
export type ToolCallSpec = z.output<typeof toolCallSpec>;

export function toolCallAssertion(spec: ToolCallSpec): Assertion {
  const label = spec.none === true ? 'no tool calls' : spec.order !== undefined ? `tool order ${spec.order.join(' → ')}` : `tool ${spec.name ?? ''}${spec.arguments === undefined ? '' : ` ${JSON.stringify(spec.arguments)}`}`;
  return {
    type: 'tool-call',
    label: spec.label ?? label,
    evaluate(output) {
      const calls = output.toolCalls;
      const names = calls.map((c) => c.name);
      const made = names.length === 0 ? 'no tool calls' : `calls: ${names.join(', ')}`;
      if (spec.none === true) return calls.length === 0 ? passed('no tool was called') : failed(`expected no tool calls, got ${made}`);
      if (spec.name !== undefined) {
        const byName = calls.filter((c) => c.name === spec.name);
        if (byName.length === 0) return failed(`tool ${spec.name} was not called (${made})`);
        if (spec.arguments !== undefined) {
          const wanted = spec.arguments;
          const match = byName.find((c) => argumentsInclude(c, wanted));
          if (match === undefined) return failed(`no ${spec.name} call had arguments containing ${JSON.stringify(wanted)} (got ${byName.map((c) => c.arguments).join(' | ')})`, 0.5);
        }
      }
      if (spec.order !== undefined && !isSubsequence(spec.order, names)) return failed(`expected tools in order ${spec.order.join(' → ')}, got ${made}`);
      return passed(`tool calls as expected (${made})`);
    },
  };
}

function argumentsInclude(call: ToolCall, wanted: Record<string, unknown>): boolean {
  let args: unknown;
  try {
    args = JSON.parse(call.arguments === '' ? '{}' : call.arguments) as unknown;
  } catch {
    return false;
  }
  return isDeepSubset(wanted, args);
}

/** True when every key of `subset` is in `value` with a deep-subset value (arrays compare exactly). */
export function isDeepSubset(subset: unknown, value: unknown): boolean {
  if (subset !== null && typeof subset === 'object' && !Array.isArray(subset)) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
    const record = value as Record<string, unknown>;
    return Object.entries(subset as Record<string, unknown>).every(([k, v]) => Object.hasOwn(record, k) && isDeepSubset(v, record[k]));
  }
  return isDeepStrictEqual(subset, value);
}

/** True when `wanted` appears in `actual` in order, other items allowed between. */
export function isSubsequence(wanted: readonly string[], actual: readonly string[]): boolean {
  let i = 0;
  for (const item of actual) if (i < wanted.length && item === wanted[i]) i++;
  return i === wanted.length;
}
