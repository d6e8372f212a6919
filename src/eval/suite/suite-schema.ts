/**
 * The YAML suite format (`conduit eval run <suite.yaml>`), validated with zod so a mistake is reported
 * with its path (`cases[2].assert[0].max_ms: …`) before anything is sent to a model.
 *
 *   name: support-replies                # default: the file name
 *   prompts:                             # each is an inline template or a registry prompt
 *     - template: "Reply to: {{ticket}}" # {{var}} placeholders; [system]/[user] role markers allowed
 *       label: inline-v1                 # optional; default "prompt-1"…
 *     - ref: support/reply@1.2.0         # from ./prompts (the registry), version optional
 *     - case_messages: true              # each case's recorded `messages` as they are
 *   models: [gpt-4o-mini, fast]          # names as the registry resolves them (aliases too)
 *   options: { temperature: 0, max_tokens: 300 }
 *   grader: gpt-4o-mini                  # for model-graded rubrics and model-judged faithfulness
 *   repeat: 1                            # runs of each prompt × model × case
 *   concurrency: 4                       # jobs in flight at once
 *   defaults: { assert: [...] }          # assertions added to every case
 *   cases:
 *     - name: refund
 *       vars: { ticket: "I want my money back" }
 *       reference: "…"                   # expected answer (semantic similarity's default)
 *       context: ["…"]                   # retrieved passages (RAG faithfulness)
 *       tools: [{ name, description, parameters }]   # offered to the model (tool-call checks)
 *       agent: { tools: [calculator], max_steps: 5, system: "…" }   # run an agent instead of one call
 *       assert: [{ type: contains, value: refund }]
 */
import { z } from 'zod';
import { assertionSpecSchema } from '../assertions/create-assertion.js';

const variableValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]);

const inlinePrompt = z.strictObject({
  template: z.string().min(1),
  label: z.string().min(1).optional(),
  /** Types of the template's variables; undeclared placeholders are strings. */
  variables: z.record(z.string(), z.enum(['string', 'number', 'boolean', 'list'])).optional(),
});

const registryPrompt = z.strictObject({
  /** `<domain>/<name>` or `<domain>/<name>@<version>`. */
  ref: z.string().min(1),
  label: z.string().min(1).optional(),
});

/** The case's own recorded `messages`, sent as they are (suites made by `conduit eval from-traces`). */
const caseMessagesPrompt = z.strictObject({
  case_messages: z.literal(true),
  label: z.string().min(1).optional(),
});

export const promptEntrySchema = z.union([inlinePrompt, registryPrompt, caseMessagesPrompt], { error: 'expected {template: …}, {ref: <domain>/<name>[@version]} or {case_messages: true}' });

/** A recorded message (OpenAI-style roles; content as text). */
export const recordedMessageSchema = z.strictObject({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string(),
});

const modelEntry = z.union([z.string().min(1), z.strictObject({ name: z.string().min(1), label: z.string().min(1).optional() })]);

export const callOptionsSchema = z.strictObject({
  temperature: z.number().min(0).max(2).optional(),
  max_tokens: z.number().int().positive().optional(),
  top_p: z.number().min(0).max(1).optional(),
  seed: z.number().int().optional(),
  stop: z.array(z.string()).optional(),
  /** Per-attempt timeout for each model call. */
  timeout_ms: z.number().int().positive().optional(),
});

/** A tool offered to the model. With `returns`, agent runs get that text back when they call it (a stub). */
export const toolSpecSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected a tool name of letters, digits, _ and - (at most 64)'),
  description: z.string().optional(),
  parameters: z.record(z.string(), z.unknown()).default({ type: 'object', properties: {} }),
  returns: z.string().optional(),
});

export const agentSpecSchema = z.strictObject({
  /** Built-in tool names (`calculator`) or the names of the case's `tools`. */
  tools: z.array(z.string().min(1)).default([]),
  max_steps: z.number().int().min(1).max(100).default(10),
  system: z.string().optional(),
});

export const caseSchema = z.strictObject({
  name: z.string().min(1).optional(),
  description: z.string().optional(),
  vars: z.record(z.string(), variableValue).default({}),
  /** The conversation for `case_messages` prompts. */
  messages: z.array(recordedMessageSchema).min(1).optional(),
  reference: z.string().optional(),
  context: z.array(z.string().min(1)).optional(),
  tools: z.array(toolSpecSchema).optional(),
  agent: agentSpecSchema.optional(),
  assert: z.array(assertionSpecSchema).default([]),
  /** Metadata carried into reports (e.g. the trace id a case came from). */
  metadata: z.record(z.string(), z.unknown()).optional(),
});

export const suiteSchema = z
  .strictObject({
    name: z.string().min(1).optional(),
    description: z.string().optional(),
    prompts: z.array(promptEntrySchema).min(1),
    models: z.array(modelEntry).min(1),
    options: callOptionsSchema.default({}),
    grader: z.string().min(1).optional(),
    /** Embedding model for `similar` / embedding faithfulness (default: the registry's default, the embedded one). */
    embedding_model: z.string().min(1).optional(),
    repeat: z.number().int().min(1).max(100).default(1),
    concurrency: z.number().int().min(1).max(64).default(4),
    defaults: z.strictObject({ assert: z.array(assertionSpecSchema).default([]) }).default({ assert: [] }),
    cases: z.array(caseSchema).min(1),
  })
  .superRefine((suite, ctx) => {
    const seen = new Map<string, number>();
    suite.cases.forEach((c, i) => {
      if (c.name === undefined) return;
      const first = seen.get(c.name);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['cases', i, 'name'], message: `duplicate case name "${c.name}" (also cases[${first}])` });
      else seen.set(c.name, i);
    });
    suite.cases.forEach((c, i) => {
      if (c.assert.length === 0 && suite.defaults.assert.length === 0) ctx.addIssue({ code: 'custom', path: ['cases', i, 'assert'], message: 'the case has no assertions (and the suite no defaults.assert)' });
    });
  });

export type SuiteInput = z.input<typeof suiteSchema>;
export type EvalSuiteSpec = z.output<typeof suiteSchema>;
export type EvalCaseSpec = z.output<typeof caseSchema>;
export type PromptEntry = z.output<typeof promptEntrySchema>;
export type RecordedMessage = z.output<typeof recordedMessageSchema>;
export type ToolSpec = z.output<typeof toolSpecSchema>;
export type AgentSpec = z.output<typeof agentSpecSchema>;
export type SuiteCallOptions = z.output<typeof callOptionsSchema>;
