/**
 * Evaluation: LLM test suites (prompts × models × cases with assertions, cached, recorded, reported
 * as JUnit and Markdown), and production traces turned into regression cases. Other areas of
 * evaluation (A/B tests, load tests) add their exports below their own headings.
 */

// ---------- test suites ----------
export { parseSuite, validateSuite, loadSuite, INVALID_SUITE, type LoadedSuite } from './suite/load-suite.js';
export {
  suiteSchema,
  caseSchema,
  promptEntrySchema,
  type SuiteInput,
  type EvalSuiteSpec,
  type EvalCaseSpec,
  type PromptEntry,
  type ToolSpec,
  type AgentSpec,
  type SuiteCallOptions,
  type RecordedMessage,
} from './suite/suite-schema.js';
export { runSuite, planSuite, executePlan, type RunSuiteOptions, type PlanSuiteOptions, type ExecutePlanOptions, type SuitePlan, type PlannedJob } from './suite/run-suite.js';
export { executeJob, type ExecuteJobOptions } from './suite/execute-job.js';
export { inputHash, INPUT_HASH_VERSION, type JobInput } from './suite/input-hash.js';
export { summarize, type SuiteRunResult, type JobResult, type AssertionOutcome, type RunSummary } from './suite/results.js';
export { createSqlEvalResultStore, EVAL_MIGRATIONS, type EvalResultStore, type RunHistoryEntry } from './suite/result-store.js';
export { parseTraceJsonl, tracesToSuite, traceRecordSchema, type TraceRecord, type TracesToSuiteOptions } from './suite/from-traces.js';
export { traceRecordsFromSpans, type SpanLike } from './suite/from-spans.js';

// ---------- assertions ----------
export type { Assertion, AssertionContext, AssertionResult, AssertionServices, EvalOutput, AgentTrace } from './assertions/assertion.js';
export { createAssertion, assertionSpecSchema, ASSERTION_TYPES, type AssertionSpec, type AssertionType } from './assertions/create-assertion.js';
export { GRADE_SCHEMA, GRADER_SYSTEM_PROMPT } from './assertions/model-graded.js';
export { FAITHFULNESS_SYSTEM_PROMPT } from './assertions/faithfulness.js';

// ---------- reports ----------
export { junitReport } from './report/junit.js';
export { markdownReport } from './report/markdown.js';
export { consoleSummary } from './report/console-summary.js';

// ---------- statistics ----------
export {
  normalCdf,
  normalQuantile,
  studentTCdf,
  studentTQuantile,
  twoSidedTPValue,
  twoSidedZPValue,
  median,
  quantile,
  quantileOfSorted,
  summarize as summarizeSample,
  DEFAULT_ALPHA,
  welchTTest,
  welchTTestFromSummaries,
  twoProportionZTest,
  compareContinuous,
  compareRates,
  decide,
  DEFAULT_MIN_SAMPLES_PER_ARM,
} from './stats/index.js';
export type { SampleSummary, ConfidenceInterval, WelchResult, ProportionSample, TwoProportionResult, ContinuousComparison, DecisionOptions, MetricDirection, RateComparison, Verdict } from './stats/index.js';

// ---------- prompt A/B tests ----------
export * from './ab/index.js';

// ---------- load tests ----------
export * from './loadtest/index.js';

// ---------- fine-tuning data tools ----------
export * from './dataset/index.js';
