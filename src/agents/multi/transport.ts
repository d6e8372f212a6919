/**
 * How agent messages travel. Each agent has a mailbox: messages addressed to it wait there until it
 * subscribes (so a task sent before a worker is up is not lost), and are handed to its handler one
 * at a time, in order. A handler that throws gets the message again, up to `maxDeliveries` times in
 * all; after that the message is dropped and reported through `onUndeliverable`. A broadcast
 * (recipient `*`) puts a copy in every known mailbox except the sender's.
 *
 * Implementations: in-process (default, tests, one process) and NATS JetStream (agents in
 * separate processes or machines, durable mailboxes that survive restarts).
 */
import type { AgentMessage } from './messages.js';

export type MessageHandler = (message: AgentMessage) => void | Promise<void>;

export interface AgentSubscription {
  readonly agent: string;
  /** Stops delivery to this handler; the mailbox stays, and collects messages until someone subscribes again. */
  close(): Promise<void>;
}

export interface AgentTransport {
  /** Delivers the agent's messages to `handler`. One subscription per agent at a time. */
  subscribe(agent: string, handler: MessageHandler): Promise<AgentSubscription>;
  /** Validates and sends (throws ConduitError('invalid_request') for an invalid message). */
  send(message: AgentMessage): Promise<void>;
  /** Agents that have a mailbox (what a broadcast reaches). */
  agents(): Promise<string[]>;
  /** Stops every subscription and releases connections. */
  close(): Promise<void>;
}

export interface TransportOptions {
  /** Deliveries of one message in all when its handler throws (default 3). */
  maxDeliveries?: number;
  /** Called when a message is given up on: its handler failed every delivery, or it could not be parsed. */
  onUndeliverable?: (info: { agent: string; message: unknown; error: unknown }) => void;
}

export const DEFAULT_MAX_DELIVERIES = 3;
