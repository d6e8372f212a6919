/** `conduit solve`: the chain-of-thought orchestrator with a calculator tool (issue 4). */
export { runSolveCommand, SOLVE_EXIT_OK, SOLVE_EXIT_FAILED, SOLVE_EXIT_USAGE, type SolveCommandArgs, type SolveOutput } from './solve-command.js';
export {
  solveProblem,
  DEFAULT_MAX_STEPS,
  DEFAULT_ATTEMPT_TIMEOUT_MS,
  type SolveOptions,
  type SolveRun,
  type SolveStatus,
  type SolveStepRecord,
  type SolveCorrection,
  type SolveEvent,
} from './orchestrator.js';
export { evaluateExpression, tryEvaluate, formatCalculatorValue, CalculatorError, MAX_EXPRESSION_LENGTH } from '../tools/calculator/index.js';
export { runCalculator, expressionCandidates, agreesWith, calculatorResultText, type CalculatorOutcome } from './calculate-step.js';
export { reasoningStepSchema, endsTheRun, STEP_TYPES, STEP_ICONS, type ReasoningStep, type StepType } from './reasoning-step.js';
export { buildConversation, summarizeSteps, DEFAULT_HISTORY_LIMIT_TOKENS, type HistoryTurn, type ConversationWindow, type BuildConversationOptions } from './step-history.js';
export { SOLVE_SYSTEM_PROMPT, problemMessage } from './solve-prompt.js';
export { renderStep, renderFooter, renderFailure, runToJson, StreamingStepPrinter } from './render.js';
