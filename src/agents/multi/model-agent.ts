/**
 * Model-backed behaviour for worker agents: a task handler that runs the agent loop (`runAgent`)
 * with the agent's own instructions and tools, and a voter that asks the model for its position
 * on a proposal as validated JSON (option, confidence, reasons).
 */
import { z } from 'zod';
import { ConduitError } from '../../core/errors.js';
import type { LanguageModel } from '../../models/language-model.js';
import { generateObject } from '../../structured/generate-object.js';
import { runAgent, type RunLimits } from '../loop/run-agent.js';
import type { AgentTool } from '../tool.js';
import type { AgentWorkerDefinition } from './worker.js';

export interface ModelTaskHandlerOptions {
  model: LanguageModel;
  /** The agent's role and instructions. */
  system?: string;
  tools?: readonly AgentTool[];
  limits?: RunLimits;
}

/** The handler's result: the agent's final answer and the tools it used. */
export interface ModelTaskResult {
  answer: string;
  toolsUsed: string[];
  runId: string;
}

export function modelTaskHandler(options: ModelTaskHandlerOptions): AgentWorkerDefinition['handleTask'] {
  return async (task, context) => {
    const input = task.input === undefined ? '' : `\n\nInput:\n${JSON.stringify(task.input, null, 2)}`;
    const result = await runAgent({
      model: options.model,
      agent: context.agent,
      ...(options.system === undefined ? {} : { system: options.system }),
      ...(options.tools === undefined ? {} : { tools: options.tools }),
      ...(options.limits === undefined ? {} : { limits: options.limits }),
      input: `Task ${task.taskId}: ${task.description}${input}`,
      signal: context.signal,
    });
    if (result.status !== 'completed') {
      throw new ConduitError('internal', `Agent '${context.agent}' did not complete task ${task.taskId}: ${result.status}${result.error === undefined ? '' : ` (${result.error.message})`}`, { code: 'task_not_completed' });
    }
    const answer: ModelTaskResult = { answer: result.text, toolsUsed: result.toolsUsed, runId: result.runId };
    return answer;
  };
}

const positionSchema = z.object({
  option: z.string().min(1),
  confidence: z.number().min(0).max(1),
  reasons: z.array(z.string().min(1)).min(1),
});

/** A voter whose position comes from the model; an option outside the proposal's list is a failed vote (abstention). */
export function modelVoter(options: { model: LanguageModel; system?: string }): NonNullable<AgentWorkerDefinition['vote']> {
  return async (proposal) => {
    const { object } = await generateObject({
      model: options.model,
      schema: positionSchema,
      schemaName: 'position',
      system: options.system ?? 'State your position on the question: choose exactly one option, say how confident you are (0 to 1) and give your reasons.',
      prompt: `Question: ${proposal.topic}\nOptions: ${proposal.options.map((o) => JSON.stringify(o)).join(', ')}`,
    });
    if (!proposal.options.includes(object.option)) {
      throw new ConduitError('invalid_request', `The model chose '${object.option}', which is not one of ${proposal.options.join(', ')}`, { code: 'invalid_vote' });
    }
    return object;
  };
}
