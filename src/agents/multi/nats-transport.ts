/**
 * AgentTransport over NATS JetStream, for agents in separate processes or machines.
 *
 * Layout: one stream (default `CONDUIT_AGENTS`) over `<prefix>.>` (default `conduit.agents.>`);
 * an agent's mailbox is the subject `<prefix>.<agent>` and a durable pull consumer named after the
 * agent, filtered to that subject, with explicit acks. So:
 * - a message sent before its recipient is up waits in the stream (the consumer starts at the
 *   first message on its subject), and one sent while the agent is down waits for its restart;
 * - a message is acked only after the handler returned; a throwing handler gets it again after a
 *   short delay (nak), at most `maxDeliveries` deliveries in all, then it is terminated and
 *   reported through `onUndeliverable`; a process that dies mid-handler gets it redelivered after
 *   `ackWaitMs`;
 * - publishing uses the message id as the JetStream message id, so a retried publish is deduplicated;
 * - a broadcast is one copy per durable consumer on the stream (every agent that ever subscribed),
 *   except the sender's: NATS 2.9 consumers cannot filter on two subjects, so there is no shared
 *   broadcast subject.
 * Messages are retained by age (`maxAgeMs`, default 24 h), not removed on ack, so a new agent is
 * not flooded with old traffic only because its own subject is new to it.
 */
import { AckPolicy, connect, DeliverPolicy, JSONCodec, nanos, StorageType, type ConsumerMessages, type JetStreamManager, type NatsConnection } from 'nats';
import { ConduitError } from '../../core/errors.js';
import { assertAgentName, BROADCAST, parseAgentMessage, type AgentMessage } from './messages.js';
import { DEFAULT_MAX_DELIVERIES, type AgentSubscription, type AgentTransport, type MessageHandler, type TransportOptions } from './transport.js';

export interface NatsTransportOptions extends TransportOptions {
  /** Default `127.0.0.1:4222`. Ignored when `connection` is given. */
  servers?: string | string[];
  /** An existing connection; the transport then leaves closing it to the caller. */
  connection?: NatsConnection;
  /** Default `CONDUIT_AGENTS`. */
  stream?: string;
  /** Default `conduit.agents`. Two streams may not share subjects: use a distinct prefix per stream. */
  subjectPrefix?: string;
  /** Default `file` (survives a NATS restart); `memory` for tests. */
  storage?: 'file' | 'memory';
  /** How long messages are kept in the stream. Default 24 h. */
  maxAgeMs?: number;
  /** Redelivery after this long without an ack (the handler's process died). Default 30 s. */
  ackWaitMs?: number;
  /** Delay before a failed message is delivered again. Default 200 ms. */
  redeliveryDelayMs?: number;
}

export interface NatsAgentTransport extends AgentTransport {
  readonly stream: string;
  readonly subjectPrefix: string;
  /** Deletes an agent's durable consumer: it stops receiving broadcasts and its mailbox position is lost. */
  forget(agent: string): Promise<void>;
  /** Deletes the stream and every consumer on it (tests, teardown). */
  deleteStream(): Promise<void>;
}

interface ActiveSubscription {
  messages: ConsumerMessages;
  loop: Promise<void>;
}

const codec = JSONCodec<unknown>();

export async function createNatsTransport(options: NatsTransportOptions = {}): Promise<NatsAgentTransport> {
  const stream = options.stream ?? 'CONDUIT_AGENTS';
  const prefix = options.subjectPrefix ?? 'conduit.agents';
  const maxDeliveries = options.maxDeliveries ?? DEFAULT_MAX_DELIVERIES;
  const redeliveryDelayMs = options.redeliveryDelayMs ?? 200;
  const ownsConnection = options.connection === undefined;
  let nc: NatsConnection;
  try {
    nc = options.connection ?? (await connect({ servers: options.servers ?? '127.0.0.1:4222', name: 'conduit-agents' }));
  } catch (err) {
    throw new ConduitError('provider_unavailable', `Cannot connect to NATS at ${String(options.servers ?? '127.0.0.1:4222')}: ${messageOf(err)}`, { code: 'nats_unavailable', cause: err });
  }
  const jsm = await nc.jetstreamManager();
  const js = nc.jetstream();
  await ensureStream(jsm, {
    name: stream,
    subjects: [`${prefix}.>`],
    storage: options.storage === 'memory' ? StorageType.Memory : StorageType.File,
    max_age: nanos(options.maxAgeMs ?? 24 * 3600_000),
  });
  const subscriptions = new Map<string, ActiveSubscription>();
  const subjectOf = (agent: string): string => `${prefix}.${agent}`;

  const publish = async (message: AgentMessage, to: string, msgID: string): Promise<void> => {
    try {
      await js.publish(subjectOf(to), codec.encode(message), { msgID });
    } catch (err) {
      throw new ConduitError('provider_unavailable', `Cannot publish to ${subjectOf(to)}: ${messageOf(err)}`, { code: 'nats_publish_failed', cause: err });
    }
  };

  const agents = async (): Promise<string[]> => {
    const names: string[] = [];
    for await (const page of jsm.consumers.list(stream)) names.push(page.name);
    return names.sort();
  };

  const consumeLoop = async (agent: string, messages: ConsumerMessages, handler: MessageHandler): Promise<void> => {
    for await (const m of messages) {
      let message: AgentMessage;
      try {
        message = parseAgentMessage(codec.decode(m.data));
      } catch (err) {
        // A message that does not parse never will: do not redeliver it.
        options.onUndeliverable?.({ agent, message: safeDecode(m.data), error: err });
        m.term();
        continue;
      }
      try {
        await handler(message);
        m.ack();
      } catch (err) {
        if (m.info.redeliveryCount >= maxDeliveries) {
          options.onUndeliverable?.({ agent, message, error: err });
          m.term();
        } else {
          m.nak(redeliveryDelayMs);
        }
      }
    }
  };

  return {
    stream,
    subjectPrefix: prefix,

    async subscribe(agent, handler) {
      assertAgentName(agent);
      if (subscriptions.has(agent)) throw new ConduitError('invalid_request', `Agent '${agent}' already has a subscriber`, { code: 'agent_already_subscribed' });
      await ensureConsumer(jsm, stream, {
        durable_name: agent,
        filter_subject: subjectOf(agent),
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        max_deliver: maxDeliveries,
        ack_wait: nanos(options.ackWaitMs ?? 30_000),
      });
      const consumer = await js.consumers.get(stream, agent);
      // One message at a time: the handler sees an agent's messages in order.
      const messages = await consumer.consume({ max_messages: 1 });
      const loop = consumeLoop(agent, messages, handler).catch(() => undefined);
      subscriptions.set(agent, { messages, loop });
      const subscription: AgentSubscription = {
        agent,
        close: async () => {
          const active = subscriptions.get(agent);
          if (active === undefined || active.messages !== messages) return;
          subscriptions.delete(agent);
          messages.stop();
          await loop;
        },
      };
      return subscription;
    },

    async send(message) {
      const checked = parseAgentMessage(message);
      if (checked.recipient !== BROADCAST) {
        await publish(checked, checked.recipient, checked.id);
        return;
      }
      for (const agent of await agents()) {
        if (agent !== checked.sender) await publish(checked, agent, `${checked.id}:${agent}`);
      }
    },

    agents,

    async forget(agent) {
      assertAgentName(agent);
      await jsm.consumers.delete(stream, agent).catch(() => false);
    },

    async deleteStream() {
      await jsm.streams.delete(stream).catch(() => false);
    },

    async close() {
      const active = [...subscriptions.values()];
      subscriptions.clear();
      for (const s of active) s.messages.stop();
      await Promise.all(active.map((s) => s.loop));
      if (ownsConnection) await nc.close();
    },
  };
}

type StreamConfig = Parameters<JetStreamManager['streams']['add']>[0];
type ConsumerConfig = Parameters<JetStreamManager['consumers']['add']>[1];

/** Creates the stream unless it exists; two processes racing to create it both end up using it. */
async function ensureStream(jsm: JetStreamManager, config: StreamConfig & { name: string }): Promise<void> {
  try {
    await jsm.streams.info(config.name);
    return;
  } catch {
    // Not there yet: create it below.
  }
  try {
    await jsm.streams.add(config);
  } catch (err) {
    await jsm.streams.info(config.name).catch(() => {
      throw new ConduitError('provider_unavailable', `Cannot create JetStream stream ${config.name}: ${messageOf(err)}`, { code: 'nats_stream_failed', cause: err });
    });
  }
}

/** Creates the durable consumer; an existing one (an agent coming back) is reused as it is. */
async function ensureConsumer(jsm: JetStreamManager, stream: string, config: ConsumerConfig & { durable_name: string }): Promise<void> {
  try {
    await jsm.consumers.add(stream, config);
  } catch (err) {
    await jsm.consumers.info(stream, config.durable_name).catch(() => {
      throw new ConduitError('provider_unavailable', `Cannot create the JetStream consumer for agent '${config.durable_name}': ${messageOf(err)}`, { code: 'nats_consumer_failed', cause: err });
    });
  }
}

function safeDecode(data: Uint8Array): unknown {
  try {
    return codec.decode(data);
  } catch {
    return new TextDecoder().decode(data);
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
