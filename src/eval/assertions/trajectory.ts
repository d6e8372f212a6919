/**
 * `trajectory`: checks an agent run's path (cases with `agent:`): `tools` were each used, `order` was
 * followed (a subsequence of the calls), the number of model calls is within `min_steps`..`max_steps`,
 * and the run ended with `status` (default: any). A case that did not run an agent fails it.
 */
import { z } from 'zod';
import { failed, passed, type Assertion } from './assertion.js';
import { baseSpecFields } from './common.js';
import { isSubsequence } from './tool-call.js';

export const trajectorySpec = z
  .strictObject({
    type: z.literal('trajectory'),
    tools: z.array(z.string().min(1)).min(1).optional(),
    order: z.array(z.string().min(1)).min(1).optional(),
    min_steps: z.number().int().min(0).optional(),
    max_steps: z.number().int().min(1).optional(),
    status: z.string().min(1).optional(),
    ...baseSpecFields,
  })
  .refine((s) => s.tools !== undefined || s.order !== undefined || s.min_steps !== undefined || s.max_steps !== undefined || s.status !== undefined, 'give tools, order, min_steps, max_steps or status');
export type TrajectorySpec = z.output<typeof trajectorySpec>;

export function trajectoryAssertion(spec: TrajectorySpec): Assertion {
  const parts = [
    spec.tools === undefined ? undefined : `uses ${spec.tools.join(', ')}`,
    spec.order === undefined ? undefined : `order ${spec.order.join(' → ')}`,
    spec.min_steps === undefined && spec.max_steps === undefined ? undefined : `steps ${spec.min_steps ?? 0}..${spec.max_steps ?? '∞'}`,
    spec.status === undefined ? undefined : `status ${spec.status}`,
  ].filter((p): p is string => p !== undefined);
  return {
    type: 'trajectory',
    label: spec.label ?? `trajectory: ${parts.join(', ')}`,
    evaluate(output) {
      const agent = output.agent;
      if (agent === undefined) return failed('the case did not run an agent (give it `agent:`)');
      const names = output.toolCalls.map((c) => c.name);
      const path = `${agent.steps} steps, ${names.length === 0 ? 'no tools' : names.join(' → ')}, ${agent.status}`;
      const problems: string[] = [];
      for (const tool of spec.tools ?? []) if (!names.includes(tool)) problems.push(`${tool} not used`);
      if (spec.order !== undefined && !isSubsequence(spec.order, names)) problems.push(`order ${spec.order.join(' → ')} not followed`);
      if (spec.min_steps !== undefined && agent.steps < spec.min_steps) problems.push(`fewer than ${spec.min_steps} steps`);
      if (spec.max_steps !== undefined && agent.steps > spec.max_steps) problems.push(`more than ${spec.max_steps} steps`);
      if (spec.status !== undefined && agent.status !== spec.status) problems.push(`status ${agent.status}, expected ${spec.status}`);
      return problems.length === 0 ? passed(`trajectory ok (${path})`) : failed(`${problems.join('; ')} (${path})`);
    },
  };
}
