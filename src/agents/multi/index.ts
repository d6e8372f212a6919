/** Multi-agent coordination: typed messages, transports (in-process, NATS JetStream), workers, the coordinator and consensus. */
export {
  agentMessageSchema,
  createMessage,
  parseAgentMessage,
  assertAgentName,
  AGENT_NAME,
  BROADCAST,
  type AgentMessage,
  type AgentMessageType,
  type MessageOf,
  type PayloadOf,
  type NewMessage,
  type TaskRequest,
  type TaskResponse,
  type StatusUpdate,
  type ConsensusProposal,
  type ConsensusVote,
} from './messages.js';
export { DEFAULT_MAX_DELIVERIES, type AgentTransport, type AgentSubscription, type MessageHandler, type TransportOptions } from './transport.js';
export { createInProcessTransport } from './in-process-transport.js';
export { createNatsTransport, type NatsTransportOptions, type NatsAgentTransport } from './nats-transport.js';
export { assignTasks, rankAgents, scoreAgent, DEFAULT_LOAD_WEIGHT, type AgentProfile, type AgentScore, type Assignment, type TaskNeeds } from './assignment.js';
export { decideConsensus, type CastVote, type ConsensusDecision, type OptionTally, type TieBreaker } from './consensus.js';
export { startAgentWorker, type AgentWorkerDefinition, type AgentWorker, type AgentWorkerOptions, type TaskContext } from './worker.js';
export {
  createCoordinator,
  validateSubtasks,
  type Coordinator,
  type CoordinatorOptions,
  type KnownAgent,
  type Subtask,
  type SubtaskOutcome,
  type TaskAttempt,
  type WorkflowResult,
  type ConsensusRequest,
  type ConsensusResult,
} from './coordinator.js';
export { modelTaskHandler, modelVoter, type ModelTaskHandlerOptions, type ModelTaskResult } from './model-agent.js';
