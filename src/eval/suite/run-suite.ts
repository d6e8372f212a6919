/**
 * Runs a suite: the matrix prompts × models × cases × repeats, at most `concurrency` jobs at once.
 * Each job's output comes from the results cache when its input hash is there (unless `cache: false`),
 * else from a model call (or agent run), then every assertion of the case (suite defaults first) is
 * evaluated. Everything that can be wrong with the suite — unknown models, missing variables, unknown
 * tools — is found before the first call, so a broken suite spends nothing.
 */
import { randomUUID } from 'node:crypto';
import type { AgentTool } from '../../agents/tool.js';
import { ConduitError, toConduitError } from '../../core/errors.js';
import type { Message, ToolDefinition } from '../../core/messages.js';
import type { EmbeddingModel, LanguageModel, ModelResolver } from '../../models/language-model.js';
import type { PromptRegistry } from '../../prompting/registry.js';
import type { Assertion, AssertionContext, AssertionServices, EvalOutput } from '../assertions/assertion.js';
import { createAssertion } from '../assertions/create-assertion.js';
import { mapConcurrent } from './concurrency.js';
import { agentTools, toolDefinitions } from './case-tools.js';
import { executeJob } from './execute-job.js';
import { inputHash, type JobInput } from './input-hash.js';
import { INVALID_SUITE, type LoadedSuite } from './load-suite.js';
import { preparePrompts } from './prepare-prompts.js';
import type { EvalResultStore } from './result-store.js';
import { summarize, type AssertionOutcome, type JobResult, type SuiteRunResult } from './results.js';

export interface RunSuiteOptions {
  suite: LoadedSuite;
  /** Resolves the suite's model names (the CLI passes the model registry: aliases work). */
  resolver: ModelResolver;
  /** Needed when the suite names registry prompts (`ref:`). */
  prompts?: PromptRegistry;
  /** Cache and history; without it nothing is cached or recorded. */
  store?: EvalResultStore;
  /** Read cached outputs (default true). With false, every job calls the model; fresh outputs are still stored. */
  cache?: boolean;
  /** Overrides the suite's `concurrency`. */
  concurrency?: number;
  /** Overrides the suite's `repeat`. */
  repeat?: number;
  /** Embeddings for `similar` and embedding faithfulness; default: the resolver's `suite.embedding_model ?? 'default'`. */
  embeddings?: () => Promise<EmbeddingModel>;
  /** Told about each job as it finishes (progress). */
  onResult?: (result: JobResult) => void;
  signal?: AbortSignal;
  runId?: string;
  clock?: () => Date;
}

/** One job of the matrix, ready to run. */
export interface PlannedJob {
  index: number;
  prompt: string;
  model: string;
  modelInstance: LanguageModel;
  caseLabel: string;
  repeat: number;
  vars: Record<string, unknown>;
  input: JobInput;
  hash: string;
  assertions: Assertion[];
  agentTools: AgentTool[];
  reference?: string;
  context?: readonly string[];
  metadata?: Record<string, unknown>;
}

/** A suite checked and expanded into jobs, ready to run: every suite error has been found. */
export interface SuitePlan {
  readonly suite: LoadedSuite;
  readonly jobCount: number;
  /** @internal */
  readonly jobs: readonly PlannedJob[];
  /** @internal */
  readonly services: AssertionServices;
}

export type PlanSuiteOptions = Pick<RunSuiteOptions, 'suite' | 'resolver' | 'prompts' | 'repeat' | 'embeddings'>;
export type ExecutePlanOptions = Omit<RunSuiteOptions, 'suite' | 'resolver' | 'prompts' | 'repeat' | 'embeddings'>;

/** Plans and runs a suite. */
export async function runSuite(options: RunSuiteOptions): Promise<SuiteRunResult> {
  return executePlan(await planSuite(options), options);
}

/**
 * Resolves models and prompts, renders every case and builds every assertion, with no model call
 * and no store: a broken suite fails here (ConduitError code `invalid_suite`) having touched nothing.
 */
export async function planSuite(options: PlanSuiteOptions): Promise<SuitePlan> {
  const jobs = await planJobs(options);
  return { suite: options.suite, jobCount: jobs.length, jobs, services: assertionServices(options) };
}

export async function executePlan(plan: SuitePlan, options: ExecutePlanOptions = {}): Promise<SuiteRunResult> {
  const { suite, jobs, services } = plan;
  const { store } = options;
  const clock = options.clock ?? (() => new Date());
  const startedAt = clock();
  const useCache = options.cache ?? true;

  const results = await mapConcurrent(jobs, options.concurrency ?? suite.concurrency, async (job) => {
    let output: EvalOutput | undefined;
    if (useCache && store !== undefined) output = await store.getCached(job.hash);
    const cached = output !== undefined;
    if (output === undefined) {
      output = await executeJob({ model: job.modelInstance, input: job.input, agentTools: job.agentTools, ...(options.signal === undefined ? {} : { signal: options.signal }) });
      // Failed calls are not cached: a transient provider error must not stick to the case.
      if (output.error === undefined && store !== undefined) await store.putCached(job.hash, output);
    }
    const context: AssertionContext = {
      vars: job.vars,
      modelName: job.model,
      services,
      ...(job.reference === undefined ? {} : { reference: job.reference }),
      ...(job.context === undefined ? {} : { retrievedContext: job.context }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    };
    const outcomes = await evaluateAll(job.assertions, output, context);
    const result: JobResult = {
      index: job.index,
      prompt: job.prompt,
      model: job.model,
      case: job.caseLabel,
      repeat: job.repeat,
      vars: job.vars,
      inputHash: job.hash,
      cached,
      output,
      assertions: outcomes,
      pass: output.error === undefined && outcomes.every((o) => o.pass),
      score: outcomes.length === 0 ? 0 : outcomes.reduce((s, o) => s + o.score, 0) / outcomes.length,
      ...(job.metadata === undefined ? {} : { metadata: job.metadata }),
    };
    options.onResult?.(result);
    return result;
  });

  const finishedAt = clock();
  const run: SuiteRunResult = {
    runId: options.runId ?? randomUUID(),
    suite: suite.name,
    startedAt,
    finishedAt,
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    results,
    summary: summarize(results),
  };
  await store?.saveRun(run);
  return run;
}

async function planJobs(options: PlanSuiteOptions): Promise<PlannedJob[]> {
  const { suite, resolver } = options;
  const prompts = await preparePrompts(suite.prompts, options.prompts);
  const models = suite.models.map((entry, i) => {
    const name = typeof entry === 'string' ? entry : entry.name;
    const label = typeof entry === 'string' ? entry : (entry.label ?? entry.name);
    return { name, label, model: suiteModel(resolver, name, `models[${i}]`) };
  });
  const repeat = options.repeat ?? suite.repeat;
  const cases = suite.cases.map((testCase, i) => {
    const where = `cases[${i}]`;
    let assertions: Assertion[];
    try {
      assertions = [...suite.defaults.assert, ...testCase.assert].map(createAssertion);
    } catch (err) {
      throw new ConduitError('invalid_request', `${where}.assert: ${err instanceof Error ? err.message : String(err)}`, { code: INVALID_SUITE, cause: err });
    }
    const tools: ToolDefinition[] | undefined = toolDefinitions(testCase.tools);
    return { testCase, where, label: testCase.name ?? `case-${i + 1}`, assertions, tools, agentTools: agentTools(testCase, where) };
  });

  const jobs: PlannedJob[] = [];
  for (const prompt of prompts) {
    // Rendered once per case, before any call: a missing or mistyped variable stops the suite here.
    const messagesByCase = cases.map(({ testCase, where }) => {
      try {
        return prompt.render(testCase);
      } catch (err) {
        throw new ConduitError('invalid_request', `${where}: prompt ${prompt.label}: ${err instanceof Error ? err.message : String(err)}`, { code: INVALID_SUITE, cause: err });
      }
    });
    for (const model of models) {
      for (const [c, plannedCase] of cases.entries()) {
        const { testCase } = plannedCase;
        const messages = messagesByCase[c] as Message[];
        for (let r = 0; r < repeat; r++) {
          const input: JobInput = {
            model: model.name,
            messages,
            options: suite.options,
            ...(plannedCase.tools === undefined || testCase.agent !== undefined ? {} : { tools: plannedCase.tools }),
            ...(testCase.agent === undefined ? {} : { agent: testCase.agent }),
            repeat: r,
          };
          jobs.push({
            index: jobs.length,
            prompt: prompt.label,
            model: model.label,
            modelInstance: model.model,
            caseLabel: plannedCase.label,
            repeat: r,
            vars: testCase.vars,
            input,
            hash: inputHash(input),
            assertions: plannedCase.assertions,
            agentTools: plannedCase.agentTools,
            ...(testCase.reference === undefined ? {} : { reference: testCase.reference }),
            ...(testCase.context === undefined ? {} : { context: testCase.context }),
            ...(testCase.metadata === undefined ? {} : { metadata: testCase.metadata }),
          });
        }
      }
    }
  }
  return jobs;
}

function suiteModel(resolver: ModelResolver, name: string, where: string): LanguageModel {
  try {
    return resolver.resolve(name);
  } catch (err) {
    throw new ConduitError('invalid_request', `${where}: ${err instanceof Error ? err.message : String(err)}`, { code: INVALID_SUITE, cause: err });
  }
}

function assertionServices(options: PlanSuiteOptions): AssertionServices {
  const { suite, resolver } = options;
  const grader = suite.grader === undefined ? undefined : suiteModel(resolver, suite.grader, 'grader');
  let embeddingModel: Promise<EmbeddingModel> | undefined;
  const embeddings = options.embeddings ?? (() => (embeddingModel ??= Promise.resolve().then(() => resolver.resolveEmbedding(suite.embedding_model ?? 'default'))));
  return {
    ...(grader === undefined ? {} : { grader }),
    resolveModel: (name) => resolver.resolve(name),
    embeddings,
  };
}

async function evaluateAll(assertions: readonly Assertion[], output: EvalOutput, context: AssertionContext): Promise<AssertionOutcome[]> {
  const outcomes: AssertionOutcome[] = [];
  for (const assertion of assertions) {
    const base = { type: assertion.type, label: assertion.label };
    if (output.error !== undefined) {
      outcomes.push({ ...base, pass: false, score: 0, reason: `call failed: ${output.error}` });
      continue;
    }
    try {
      const r = await assertion.evaluate(output, context);
      outcomes.push({ ...base, pass: r.pass, score: r.score, reason: r.reason });
    } catch (err) {
      // A grader that fails is a failed check, reported as such, not a crashed suite.
      const e = toConduitError(err);
      outcomes.push({ ...base, pass: false, score: 0, reason: `assertion error: ${e.message}` });
    }
  }
  return outcomes;
}
