/**
 * The agent layer's public API. Each area adds its own block of exports here.
 */

// ---- tool contract ----
export { toolDefinition, type AgentTool, type ToolContext, type ToolOutput, type ToolRetryPolicy, type ToolArgsValidation } from './tool.js';

// ---- agent loop ----
export {
  runAgent,
  resumeAgent,
  DEFAULT_RUN_LIMITS,
  DEFAULT_TOOL_TIMEOUT_MS,
  type RunAgentOptions,
  type AgentLoopOptions,
  type RunLimits,
  type RunResult,
  type StepInfo,
  type DecisionInput,
} from './loop/run-agent.js';
export type { RunState, PendingTurn, PendingApprovalState, SettledToolResult } from './loop/run-state.js';
export { executeTool, type ToolExecution, type ExecuteToolOptions } from './loop/execute-tool.js';
export { parseTextToolCalls, textProtocolInstructions, textToolResultsMessage, type ParsedTextReply } from './loop/text-protocol.js';

// ---- tools ----
export { defineTool, type DefineToolOptions } from './tools/define-tool.js';
export { ToolReliability, type ToolReliabilityStats } from './tools/tool-reliability.js';
export { createCalculatorTool, CALCULATOR_TOOL_NAME } from './tools/calculator/calculator-tool.js';
export { evaluateExpression, formatCalculatorValue as formatNumber } from '../tools/calculator/index.js';
export { createHttpGetTool, checkUrl, HTTP_GET_TOOL_NAME, type HttpGetToolOptions } from './tools/http-get-tool.js';
export { createFileTools, READ_FILE_TOOL_NAME, WRITE_FILE_TOOL_NAME, type FileToolsOptions } from './tools/file-tools.js';
export { Sandbox } from './tools/sandbox-path.js';
export { createRagSearchTool, RAG_SEARCH_TOOL_NAME, type RagSearchToolOptions } from './tools/rag-search-tool.js';

// ---- runs: events, store, runtime, approvals ----
export { isTerminalStatus, TERMINAL_RUN_STATUSES, type RunEvent, type RunEventData, type RunEventType, type RunStatus, type ApprovalDecision } from './runs/run-event.js';
export type { RunStore, RunRecord, RunUpdate, NewRun, ApprovalRecord, ApprovalStatus, NewApproval, ListRunsQuery } from './runs/run-store.js';
export { createSqlRunStore, type SqlRunStoreOptions } from './runs/sql-run-store.js';
export { agentRunMigrations } from './runs/run-migrations.js';
export { replayRun, type RunReplay } from './runs/replay.js';
export { followRun, type FollowRunOptions } from './runs/follow-run.js';
export type { AgentDefinition } from './runs/agent-definition.js';
export {
  createAgentRuntime,
  type AgentRuntime,
  type AgentRuntimeOptions,
  type StartRunOptions,
  type DecideApprovalInput,
  type ApprovalOutcome,
} from './runs/agent-runtime.js';
export { auditApprovalDecision, APPROVAL_AUDIT_ACTION, type ApprovalAuditInput } from './approvals/approval-audit.js';

// ---- conversations: threads, context assembly, summaries ----
export * from './conversations/index.js';
export { createConversationRoutes, ownerOf as conversationOwnerOf, type ConversationRoutesOptions } from './http/conversation-routes.js';

// ---- memory: semantic, episodic, working ----
export * from './memory/index.js';

// ---- planning ----
export * from './planning/index.js';

// ---- reflection ----
export * from './reflection/index.js';

// ---- multi-agent: messages, transports (in-process, NATS JetStream), workers, coordinator, consensus ----
export * from './multi/index.js';
