/** The default AgentTransport: mailboxes in memory, for agents that live in one process. */
import { ConduitError } from '../../core/errors.js';
import { assertAgentName, BROADCAST, parseAgentMessage, type AgentMessage } from './messages.js';
import { DEFAULT_MAX_DELIVERIES, type AgentSubscription, type AgentTransport, type MessageHandler, type TransportOptions } from './transport.js';

interface Mailbox {
  queue: AgentMessage[];
  handler: MessageHandler | undefined;
  /** True while a drain loop runs, so messages are handled one at a time and in order. */
  draining: boolean;
}

export function createInProcessTransport(options: TransportOptions = {}): AgentTransport {
  const maxDeliveries = options.maxDeliveries ?? DEFAULT_MAX_DELIVERIES;
  const mailboxes = new Map<string, Mailbox>();
  let closed = false;

  const mailbox = (agent: string): Mailbox => {
    let box = mailboxes.get(agent);
    if (box === undefined) {
      box = { queue: [], handler: undefined, draining: false };
      mailboxes.set(agent, box);
    }
    return box;
  };

  const drain = async (agent: string, box: Mailbox): Promise<void> => {
    if (box.draining) return;
    box.draining = true;
    try {
      // Deliver on a later tick: a sender never runs the receiver's code inside its own call.
      await new Promise<void>((resolve) => setImmediate(resolve));
      while (box.handler !== undefined && box.queue.length > 0 && !closed) {
        const handler = box.handler;
        const message = box.queue.shift() as AgentMessage;
        let lastError: unknown;
        for (let attempt = 1; attempt <= maxDeliveries; attempt++) {
          try {
            await handler(message);
            lastError = undefined;
            break;
          } catch (err) {
            lastError = err ?? new Error('handler failed');
          }
        }
        if (lastError !== undefined) options.onUndeliverable?.({ agent, message, error: lastError });
      }
    } finally {
      box.draining = false;
    }
  };

  return {
    async subscribe(agent, handler) {
      assertAgentName(agent);
      if (closed) throw new ConduitError('invalid_request', 'The transport is closed', { code: 'transport_closed' });
      const box = mailbox(agent);
      if (box.handler !== undefined) throw new ConduitError('invalid_request', `Agent '${agent}' already has a subscriber`, { code: 'agent_already_subscribed' });
      box.handler = handler;
      void drain(agent, box);
      const subscription: AgentSubscription = {
        agent,
        close: async () => {
          if (box.handler === handler) box.handler = undefined;
        },
      };
      return subscription;
    },

    async send(message) {
      if (closed) throw new ConduitError('invalid_request', 'The transport is closed', { code: 'transport_closed' });
      const checked = parseAgentMessage(message);
      const targets = checked.recipient === BROADCAST ? [...mailboxes.keys()].filter((name) => name !== checked.sender) : [checked.recipient];
      for (const target of targets) {
        const box = mailbox(target);
        box.queue.push(checked);
        void drain(target, box);
      }
    },

    async agents() {
      return [...mailboxes.keys()].sort();
    },

    async close() {
      closed = true;
      for (const box of mailboxes.values()) box.handler = undefined;
    },
  };
}
