/**
 * Runs one agent on a transport: answers task requests with task responses (the request's id as
 * the correlation id), states its position on consensus proposals, and keeps the coordinator's
 * directory current with status updates (capabilities, active tasks, capacity) when it starts,
 * when a task starts or ends, and when it stops.
 *
 * Tasks run concurrently with message handling, so an agent with capacity 3 works on three tasks
 * at once; a request beyond capacity is still accepted and simply waits its turn in the agent's
 * own code (the coordinator's load discount is what keeps that rare).
 */
import { ConduitError } from '../../core/errors.js';
import {
  assertAgentName,
  createMessage,
  type AgentMessage,
  type ConsensusProposal,
  type ConsensusVote,
  type MessageOf,
  type TaskRequest,
} from './messages.js';
import type { AgentSubscription, AgentTransport } from './transport.js';

export interface TaskContext {
  agent: string;
  message: MessageOf<'task_request'>;
  /** Aborted when the worker stops. */
  signal: AbortSignal;
}

export interface AgentWorkerDefinition {
  name: string;
  capabilities: readonly string[];
  /** Tasks worked on at once, reported to the coordinator (default 1). */
  capacity?: number;
  /** The work. What it returns is the response's `result`; a throw is a `failed` response with the error's message. */
  handleTask(task: TaskRequest, context: TaskContext): Promise<unknown>;
  /** Return a reason to decline a task (the response is `declined` and the coordinator tries another agent). */
  declines?(task: TaskRequest): string | undefined;
  /** The agent's position on a proposal; undefined abstains (no vote is sent). Default: abstain. */
  vote?(proposal: ConsensusProposal, message: MessageOf<'consensus_proposal'>): Promise<Omit<ConsensusVote, 'proposalId'> | undefined>;
  /** Every other message (information shares, help requests, status updates of others). */
  onMessage?(message: AgentMessage): void | Promise<void>;
}

export interface AgentWorkerOptions {
  /** Where status updates go; `null` sends none. Default `coordinator`. */
  coordinator?: string | null;
  /** Failures the worker cannot send back (e.g. the transport is down). */
  onError?: (error: unknown) => void;
  /** How long `stop()` waits for tasks that ignore the abort signal (default 5 s). */
  stopGraceMs?: number;
}

export interface AgentWorker {
  readonly name: string;
  activeTasks(): number;
  /** Stops receiving, aborts the tasks in progress and waits for them (up to `stopGraceMs`), then reports `offline`. */
  stop(): Promise<void>;
}

export async function startAgentWorker(transport: AgentTransport, definition: AgentWorkerDefinition, options: AgentWorkerOptions = {}): Promise<AgentWorker> {
  assertAgentName(definition.name);
  const capacity = definition.capacity ?? 1;
  if (!Number.isInteger(capacity) || capacity < 1) throw new ConduitError('invalid_request', `Agent '${definition.name}': capacity must be a positive integer`, { code: 'invalid_capacity' });
  const coordinator = options.coordinator === undefined ? 'coordinator' : options.coordinator;
  const onError = options.onError ?? (() => undefined);
  const controller = new AbortController();
  const running = new Set<Promise<void>>();
  let active = 0;

  const sendStatus = async (status: 'available' | 'busy' | 'offline'): Promise<void> => {
    if (coordinator === null) return;
    await transport.send(
      createMessage('status_update', {
        sender: definition.name,
        recipient: coordinator,
        payload: { status, capabilities: [...definition.capabilities], activeTasks: active, capacity },
      }),
    );
  };
  const currentStatus = (): 'available' | 'busy' => (active >= capacity ? 'busy' : 'available');

  const track = (work: Promise<void>): void => {
    const tracked = work.catch(onError).finally(() => running.delete(tracked));
    running.add(tracked);
  };

  const runTask = async (message: MessageOf<'task_request'>): Promise<void> => {
    const task = message.payload;
    const reply = (payload: MessageOf<'task_response'>['payload']) =>
      transport.send(
        createMessage('task_response', {
          sender: definition.name,
          recipient: message.sender,
          correlationId: message.id,
          ...(message.conversationId === undefined ? {} : { conversationId: message.conversationId }),
          payload,
        }),
      );
    const reason = definition.declines?.(task);
    if (reason !== undefined) {
      await reply({ taskId: task.taskId, status: 'declined', error: reason });
      return;
    }
    active++;
    await sendStatus(currentStatus()).catch(onError);
    let response: MessageOf<'task_response'>['payload'];
    try {
      const result = await definition.handleTask(task, { agent: definition.name, message, signal: controller.signal });
      response = { taskId: task.taskId, status: 'completed', result };
    } catch (err) {
      response = { taskId: task.taskId, status: 'failed', error: err instanceof Error ? err.message : String(err) };
    } finally {
      active--;
    }
    await reply(response);
    await sendStatus(currentStatus()).catch(onError);
  };

  const castVote = async (message: MessageOf<'consensus_proposal'>): Promise<void> => {
    const position = await definition.vote?.(message.payload, message);
    if (position === undefined) return;
    await transport.send(
      createMessage('consensus_vote', {
        sender: definition.name,
        recipient: message.sender,
        correlationId: message.id,
        ...(message.conversationId === undefined ? {} : { conversationId: message.conversationId }),
        payload: { proposalId: message.payload.proposalId, ...position },
      }),
    );
  };

  const subscription: AgentSubscription = await transport.subscribe(definition.name, async (message) => {
    if (message.sender === definition.name) return;
    switch (message.type) {
      case 'task_request':
        track(runTask(message));
        return;
      case 'consensus_proposal':
        track(castVote(message));
        return;
      default:
        await definition.onMessage?.(message);
    }
  });
  await sendStatus('available');

  return {
    name: definition.name,
    activeTasks: () => active,
    async stop() {
      await subscription.close();
      controller.abort(new ConduitError('cancelled', `Agent '${definition.name}' stopped`));
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, options.stopGraceMs ?? 5000)));
      await Promise.race([Promise.allSettled([...running]), grace]);
      clearTimeout(timer);
      await sendStatus('offline').catch(onError);
    },
  };
}
