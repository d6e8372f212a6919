/**
 * Multi-agent coordination over NATS JetStream (127.0.0.1:4222): the transport's mailbox,
 * broadcast and redelivery semantics, and two worker agents in SEPARATE PROCESSES that a
 * coordinator in this process assigns work to and holds a consensus round with.
 * Every run uses its own stream and subject prefix and deletes the stream afterwards.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, type NatsConnection } from 'nats';
import { createCoordinator, type Coordinator } from '../../../src/agents/multi/coordinator.js';
import { createMessage, type AgentMessage } from '../../../src/agents/multi/messages.js';
import { createNatsTransport, type NatsAgentTransport } from '../../../src/agents/multi/nats-transport.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const WORKER = join(HERE, 'fixtures', 'nats-worker.ts');
const RUN = randomBytes(4).toString('hex');

function names(label: string): { stream: string; subjectPrefix: string } {
  return { stream: `CONDUIT_TEST_${label}_${RUN}`, subjectPrefix: `conduit.test.${RUN}.${label}` };
}

async function eventually(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('NATS JetStream transport', () => {
  let transport: NatsAgentTransport;
  let nc: NatsConnection;

  before(async () => {
    nc = await connect({ servers: '127.0.0.1:4222' });
    transport = await createNatsTransport({ ...names('unit'), storage: 'memory', maxDeliveries: 3, redeliveryDelayMs: 20 });
  });
  after(async () => {
    await transport.deleteStream();
    await transport.close();
    const jsm = await nc.jetstreamManager();
    await assert.rejects(jsm.streams.info(transport.stream), 'the test stream is gone');
    await nc.close();
  });

  test('mail waits for an agent that is not subscribed yet; broadcasts reach every other agent', async () => {
    const got: Record<string, AgentMessage[]> = { a: [], b: [], c: [] };
    await transport.send(createMessage('information_share', { sender: 'c', recipient: 'a', payload: { topic: 'early', content: { n: 1 } } }));
    for (const agent of ['a', 'b', 'c'] as const) await transport.subscribe(agent, (m) => void got[agent]?.push(m));
    assert.deepEqual(await transport.agents(), ['a', 'b', 'c']);
    await transport.send(createMessage('information_share', { sender: 'c', recipient: '*', payload: { topic: 'all', content: 'hello' } }));
    await eventually(() => got.a?.length === 2 && got.b?.length === 1);
    assert.deepEqual(got.a?.map((m) => (m.type === 'information_share' ? m.payload.content : undefined)), [{ n: 1 }, 'hello']);
    assert.equal(got.c?.length, 0, 'the sender does not get its own broadcast');
  });

  test('mailboxes are durable: mail sent while an agent is down is delivered when it comes back, in a new transport', async () => {
    const first: AgentMessage[] = [];
    const sub = await transport.subscribe('durable', (m) => void first.push(m));
    await transport.send(createMessage('status_update', { sender: 'x', recipient: 'durable', payload: { status: 'available', capabilities: ['a'], activeTasks: 0, capacity: 1 } }));
    await eventually(() => first.length === 1);
    await sub.close();

    await transport.send(createMessage('information_share', { sender: 'x', recipient: 'durable', payload: { topic: 'while away', content: 42 } }));
    // Another process (here: another connection) picks the mailbox up where the first left it: only the unacked message.
    const restarted = await createNatsTransport({ stream: transport.stream, subjectPrefix: transport.subjectPrefix, storage: 'memory' });
    try {
      const second: AgentMessage[] = [];
      await restarted.subscribe('durable', (m) => void second.push(m));
      await eventually(() => second.length === 1);
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(second.map((m) => m.type), ['information_share']);
    } finally {
      await restarted.close();
    }
  });

  test('a failing handler gets the message redelivered; after max deliveries it is given up; garbage is terminated', async () => {
    const undeliverable: unknown[] = [];
    const local = await createNatsTransport({ ...names('redeliver'), storage: 'memory', maxDeliveries: 3, redeliveryDelayMs: 20, onUndeliverable: (i) => undeliverable.push(i.message) });
    try {
      let flakyCalls = 0;
      let brokenCalls = 0;
      await local.subscribe('flaky', () => {
        flakyCalls++;
        if (flakyCalls < 2) throw new Error('first time fails');
      });
      await local.subscribe('broken', () => {
        brokenCalls++;
        throw new Error('always fails');
      });
      await local.send(createMessage('help_request', { sender: 'x', recipient: 'flaky', payload: { topic: 't', description: 'd' } }));
      await local.send(createMessage('help_request', { sender: 'x', recipient: 'broken', payload: { topic: 't', description: 'd' } }));
      await nc.jetstream().publish(`${local.subjectPrefix}.flaky`, new TextEncoder().encode('{"not":"a message"}'));
      await eventually(() => flakyCalls === 2 && brokenCalls === 3 && undeliverable.length === 2);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(brokenCalls, 3, 'no delivery beyond maxDeliveries');
    } finally {
      await local.deleteStream();
      await local.close();
    }
  });
});

describe('two agents in separate processes coordinated over NATS', () => {
  const { stream, subjectPrefix } = names('procs');
  const children: ChildProcess[] = [];
  let transport: NatsAgentTransport;
  let coordinator: Coordinator;

  const startWorker = (name: string, capabilities: string, vote: string): Promise<ChildProcess> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), WORKER], {
        env: { ...process.env, NATS_STREAM: stream, NATS_PREFIX: subjectPrefix, AGENT_NAME: name, AGENT_CAPABILITIES: capabilities, AGENT_VOTE: vote },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      let output = '';
      const timer = setTimeout(() => reject(new Error(`worker ${name} did not start: ${output}`)), 20_000);
      child.stdout?.setEncoding('utf8').on('data', (d: string) => {
        output += d;
        if (output.includes(`ready ${name}`)) {
          clearTimeout(timer);
          resolve(child);
        }
      });
      child.stderr?.setEncoding('utf8').on('data', (d: string) => (output += d));
      child.once('exit', (code) => reject(new Error(`worker ${name} exited (${code}): ${output}`)));
    });

  before(async () => {
    transport = await createNatsTransport({ stream, subjectPrefix, storage: 'memory' });
    coordinator = await createCoordinator({ transport, taskTimeoutMs: 15_000, consensusTimeoutMs: 15_000 });
    await Promise.all([startWorker('researcher', 'research,fact_checking', 'postgres:0.9'), startWorker('writer', 'writing', 'sqlite:0.6')]);
    await coordinator.waitForAgents(['researcher', 'writer'], 15_000);
  });

  after(async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
    await coordinator.close();
    await transport.deleteStream();
    await transport.close();
  });

  test('the coordinator learns both agents from their status updates', () => {
    const directory = coordinator.directory();
    assert.deepEqual(
      directory.map((a) => [a.name, a.capabilities, a.status]),
      [
        ['researcher', ['research', 'fact_checking'], 'available'],
        ['writer', ['writing'], 'available'],
      ],
    );
  });

  test('assigns by capability to the other processes and receives their responses', async () => {
    const result = await coordinator.run({
      goal: 'Brief on remote work',
      subtasks: [
        { id: 'facts', description: 'check the facts', requiredCapabilities: ['fact_checking'] },
        { id: 'brief', description: 'write the brief', requiredCapabilities: ['writing'], dependsOn: ['facts'] },
      ],
    });
    assert.equal(result.status, 'completed', JSON.stringify(result.subtasks));
    const [facts, brief] = result.subtasks as [{ agent: string; result: { by: string; pid: number; answer: string; dependencies: Record<string, { answer: string }> } }, typeof result.subtasks[1] & { result: { by: string; pid: number; dependencies: Record<string, { answer: string }> } }];
    assert.equal(facts.agent, 'researcher');
    assert.equal(facts.result.answer, 'CHECK THE FACTS');
    assert.equal(brief.agent, 'writer');
    assert.equal(brief.result.dependencies.facts?.answer, 'CHECK THE FACTS', "the writer got the researcher's result");
    const pids = new Set([facts.result.pid, brief.result.pid, process.pid]);
    assert.equal(pids.size, 3, 'each agent ran in its own process');
    assert.deepEqual(new Set(children.map((c) => c.pid)), new Set([facts.result.pid, brief.result.pid]));
  });

  test('a consensus round across processes: positions with reasons, the confidence breaks the 1-1 tie', async () => {
    const result = await coordinator.consensus({ topic: 'primary store', options: ['sqlite', 'postgres'] });
    assert.deepEqual(result.participants, ['researcher', 'writer']);
    assert.equal(result.decision, 'postgres');
    assert.equal(result.decidedBy, 'confidence');
    assert.match(result.votes.find((v) => v.agent === 'writer')?.reasons[0] ?? '', /writer \(pid \d+\) prefers sqlite for primary store/);
  });
});
