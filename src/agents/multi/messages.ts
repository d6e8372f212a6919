/**
 * Typed messages between agents. Every message has the same envelope (id, sender, recipient,
 * correlation and conversation ids, timestamp, priority) and a `type` with its own payload schema,
 * so a receiver can trust what it parses whatever transport carried it (in-process or NATS).
 *
 * - `task_request` / `task_response`: work handed to an agent and its outcome; the response's
 *   `correlationId` is the request's `id`.
 * - `information_share`: a finding offered to others (broadcast with recipient `*`).
 * - `help_request`: an agent asks for someone with certain capabilities.
 * - `status_update`: an agent's availability, capabilities and load; the coordinator's directory
 *   is built from these.
 * - `consensus_proposal` / `consensus_vote`: a question with options; each participant answers
 *   with one option, a confidence and its reasons.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ConduitError } from '../../core/errors.js';

/** Agent names are NATS subject tokens and durable consumer names, so a conservative alphabet. */
export const AGENT_NAME = /^[A-Za-z0-9_-]{1,64}$/;
export const BROADCAST = '*';

const agentName = z.string().regex(AGENT_NAME, { message: 'agent names are 1-64 letters, digits, - or _' });
const confidence = z.number().min(0).max(1);

const envelope = {
  id: z.string().min(1),
  sender: agentName,
  /** An agent name, or `*` for every agent but the sender. */
  recipient: z.union([agentName, z.literal(BROADCAST)]),
  /** For a reply: the id of the message it answers. */
  correlationId: z.string().min(1).optional(),
  /** Groups the messages of one workflow or discussion. */
  conversationId: z.string().min(1).optional(),
  timestamp: z.iso.datetime(),
  /** 1 (lowest) to 5 (highest). */
  priority: z.number().int().min(1).max(5).default(3),
};

export const taskRequestPayload = z.strictObject({
  taskId: z.string().min(1),
  description: z.string().min(1),
  requiredCapabilities: z.array(z.string().min(1)).default([]),
  /** Anything the task needs: the goal, results of the tasks it depends on… */
  input: z.unknown().optional(),
  deadline: z.iso.datetime().optional(),
});

export const taskResponsePayload = z.strictObject({
  taskId: z.string().min(1),
  status: z.enum(['completed', 'failed', 'declined']),
  result: z.unknown().optional(),
  error: z.string().optional(),
});

export const informationSharePayload = z.strictObject({
  topic: z.string().min(1),
  content: z.unknown(),
  confidence: confidence.optional(),
});

export const helpRequestPayload = z.strictObject({
  topic: z.string().min(1),
  description: z.string().min(1),
  requiredCapabilities: z.array(z.string().min(1)).default([]),
});

export const statusUpdatePayload = z.strictObject({
  status: z.enum(['available', 'busy', 'offline']),
  capabilities: z.array(z.string().min(1)),
  activeTasks: z.number().int().nonnegative(),
  /** How many tasks it works on at once. */
  capacity: z.number().int().positive(),
});

export const consensusProposalPayload = z.strictObject({
  proposalId: z.string().min(1),
  topic: z.string().min(1),
  options: z
    .array(z.string().min(1))
    .min(2)
    .refine((options) => new Set(options).size === options.length, { message: 'options must be distinct' }),
  deadline: z.iso.datetime().optional(),
});

export const consensusVotePayload = z.strictObject({
  proposalId: z.string().min(1),
  option: z.string().min(1),
  confidence,
  reasons: z.array(z.string().min(1)).min(1),
});

export const agentMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ ...envelope, type: z.literal('task_request'), payload: taskRequestPayload }),
  z.strictObject({ ...envelope, type: z.literal('task_response'), payload: taskResponsePayload }),
  z.strictObject({ ...envelope, type: z.literal('information_share'), payload: informationSharePayload }),
  z.strictObject({ ...envelope, type: z.literal('help_request'), payload: helpRequestPayload }),
  z.strictObject({ ...envelope, type: z.literal('status_update'), payload: statusUpdatePayload }),
  z.strictObject({ ...envelope, type: z.literal('consensus_proposal'), payload: consensusProposalPayload }),
  z.strictObject({ ...envelope, type: z.literal('consensus_vote'), payload: consensusVotePayload }),
]);

export type AgentMessage = z.output<typeof agentMessageSchema>;
export type AgentMessageType = AgentMessage['type'];
export type MessageOf<T extends AgentMessageType> = Extract<AgentMessage, { type: T }>;
export type PayloadOf<T extends AgentMessageType> = MessageOf<T>['payload'];
export type TaskRequest = PayloadOf<'task_request'>;
export type TaskResponse = PayloadOf<'task_response'>;
export type StatusUpdate = PayloadOf<'status_update'>;
export type ConsensusProposal = PayloadOf<'consensus_proposal'>;
export type ConsensusVote = PayloadOf<'consensus_vote'>;

export interface NewMessage<T extends AgentMessageType> {
  sender: string;
  recipient: string;
  /** As written (defaults such as `requiredCapabilities: []` may be left out). */
  payload: Extract<z.input<typeof agentMessageSchema>, { type: T }>['payload'];
  correlationId?: string;
  conversationId?: string;
  priority?: number;
}


/** A new, validated message with a fresh id and the current time. */
export function createMessage<T extends AgentMessageType>(type: T, fields: NewMessage<T>): MessageOf<T> {
  return parseAgentMessage({ id: randomUUID(), type, timestamp: new Date().toISOString(), ...fields }) as MessageOf<T>;
}

/** Validates a message from anywhere (a transport, a test); throws ConduitError('invalid_request', code 'invalid_agent_message'). */
export function parseAgentMessage(value: unknown): AgentMessage {
  const result = agentMessageSchema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`).join('; ');
  throw new ConduitError('invalid_request', `Invalid agent message: ${issues}`, { code: 'invalid_agent_message' });
}

export function assertAgentName(name: string): void {
  if (!AGENT_NAME.test(name)) throw new ConduitError('invalid_request', `Agent name '${name}' must be 1-64 letters, digits, - or _`, { code: 'invalid_agent_name' });
}
