/**
 * Agent runs on `conduit serve`:
 *   GET  /v1/agents                                  → the configured agents
 *   POST /v1/agents/{name}/runs                      {input, messages?, tools?, stream?} → the finished (or paused) run;
 *                                                    with `stream: true` or `Accept: text/event-stream`, the run's events as SSE
 *   GET  /v1/runs                                    ?status=&agent=&limit= → recent runs
 *   GET  /v1/runs/{id}                               → the run with its events and approvals (SSE follow with Accept: text/event-stream)
 *   POST /v1/runs/{id}/approvals/{approval_id}       {decision: approve|deny, reason?} → the run after the decision
 *   POST /v1/chat                                    {message, enable_tools?} → {response, tools_used, run_id, status}
 * A run keeps going when a streaming client disconnects: it is persisted, and GET /v1/runs/{id} shows how it ended.
 */
import { principalLabel, type Principal } from '../../auth/principal.js';
import { authorizeModel } from '../../auth/model-access.js';
import { ConduitError } from '../../core/errors.js';
import { appendCommonHeaders } from '../../gateway/context.js';
import type { RequestContext } from '../../gateway/context.js';
import { pathSegments, queryOf, readJsonBody, type AppRoutes } from '../../gateway/app-routes.js';
import type { Message } from '../../core/messages.js';
import type { RunResult } from '../loop/run-agent.js';
import type { AgentRuntime } from '../runs/agent-runtime.js';
import { followRun } from '../runs/follow-run.js';
import type { RunStatus } from '../runs/run-event.js';
import { runJson } from './run-json.js';

export interface AgentRoutesOptions {
  /** The runtime, or a function opening it on first use (so a gateway that never serves agents opens no database). */
  runtime: AgentRuntime | (() => Promise<AgentRuntime>);
  /** The agent `POST /v1/chat` runs (default `chat`). */
  chatAgent?: string;
  /** Longest accepted input, in characters (default 100 000). */
  maxInputChars?: number;
}

const RUN_STATUSES: readonly RunStatus[] = ['running', 'awaiting_approval', 'completed', 'max_steps', 'deadline', 'budget_exceeded', 'cancelled', 'failed'];

export function createAgentRoutes(options: AgentRoutesOptions): AppRoutes {
  const openRuntime = options.runtime;
  const getRuntime = typeof openRuntime === 'function' ? openRuntime : () => Promise.resolve(openRuntime);
  // Every request resolves the same object, so assigning it per request is safe.
  let runtime: AgentRuntime;
  const chatAgent = options.chatAgent ?? 'chat';
  const maxInput = options.maxInputChars ?? 100_000;

  async function startRun(ctx: RequestContext, name: string): Promise<void> {
    const agent = runtime.getAgent(name);
    authorize(ctx.principal, agent.modelName ?? agent.model.modelId, `${agent.model.provider}/${agent.model.modelId}`);
    const body = objectBody(await readJsonBody(ctx));
    const input = optionalString(body, 'input', maxInput);
    const messages = body.messages === undefined ? undefined : parseMessages(body.messages);
    if (input === undefined && messages === undefined) throw new ConduitError('invalid_request', "'input' is required", { code: 'missing_input', param: 'input' });
    const tools = body.tools === undefined ? undefined : stringArray(body.tools, 'tools');
    const wantsStream = body.stream === true || (ctx.req.headers.accept ?? '').includes('text/event-stream');
    const base = {
      ...(input === undefined ? {} : { input }),
      ...(messages === undefined ? {} : { messages }),
      ...(tools === undefined ? {} : { toolNames: tools }),
    };
    if (!wantsStream) {
      const result = await runtime.startRun(name, base);
      await sendRun(ctx, result.runId);
      return;
    }
    const sse = openSse(ctx);
    try {
      const result = await runtime.startRun(name, { ...base, onEvent: (e) => sse.event(e.type, e) });
      await sse.finishWith(result.runId);
    } catch (err) {
      sse.error(err);
    }
  }

  async function sendRun(ctx: RequestContext, runId: string, withEvents = false): Promise<void> {
    const [run, approvals] = await Promise.all([runtime.getRun(runId), runtime.listApprovals(runId)]);
    const events = withEvents ? await runtime.listEvents(runId) : undefined;
    ctx.sendJson(200, JSON.stringify(runJson(run, approvals, events)));
  }

  function openSse(ctx: RequestContext): { event(type: string, data: unknown): void; finishWith(runId: string): Promise<void>; error(err: unknown): void } {
    const headers = ['content-type', 'text/event-stream; charset=utf-8', 'cache-control', 'no-cache', 'x-accel-buffering', 'no', 'x-request-id', ctx.requestId];
    appendCommonHeaders(ctx, headers);
    ctx.status = 200;
    ctx.res.writeHead(200, headers);
    const write = (text: string): void => {
      if (!ctx.res.destroyed && !ctx.res.writableEnded) ctx.res.write(text);
    };
    return {
      event: (type, data) => write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`),
      async finishWith(runId) {
        const [run, approvals] = await Promise.all([runtime.getRun(runId), runtime.listApprovals(runId)]);
        write(`event: run\ndata: ${JSON.stringify(runJson(run, approvals))}\n\n`);
        write('data: [DONE]\n\n');
        if (!ctx.res.writableEnded) ctx.res.end();
        ctx.finish();
      },
      error(err) {
        const e = err instanceof ConduitError ? err : new ConduitError('internal', err instanceof Error ? err.message : String(err));
        write(`event: error\ndata: ${JSON.stringify({ error: { message: e.message, type: e.kind, code: e.code ?? null } })}\n\n`);
        if (!ctx.res.writableEnded) ctx.res.end();
        ctx.error = e;
        ctx.finish();
      },
    };
  }

  async function followRunSse(ctx: RequestContext, runId: string): Promise<void> {
    await runtime.getRun(runId);
    const after = Number(queryOf(ctx).get('after_seq') ?? '-1');
    const sse = openSse(ctx);
    const controller = new AbortController();
    ctx.res.once('close', () => controller.abort());
    try {
      for await (const e of followRun(runtime.store, runId, { afterSeq: Number.isFinite(after) ? after : -1, signal: controller.signal })) sse.event(e.type, e);
      await sse.finishWith(runId);
    } catch (err) {
      sse.error(err);
    }
  }

  async function decide(ctx: RequestContext, runId: string, approvalId: string): Promise<void> {
    const body = objectBody(await readJsonBody(ctx));
    const decision = body.decision;
    if (decision !== 'approve' && decision !== 'deny') throw new ConduitError('invalid_request', "'decision' must be 'approve' or 'deny'", { code: 'invalid_decision', param: 'decision' });
    const reason = optionalString(body, 'reason', 10_000);
    // An authenticated caller is named by its credential; a body-supplied name is only trusted on an open gateway.
    const by = (ctx.principal === undefined ? undefined : principalLabel(ctx.principal)) ?? optionalString(body, 'by', 200) ?? 'anonymous';
    await runtime.decideApproval(runId, approvalId, { decision, by, ...(reason === undefined ? {} : { reason }) });
    await sendRun(ctx, runId);
  }

  async function chat(ctx: RequestContext): Promise<void> {
    const body = objectBody(await readJsonBody(ctx));
    const message = optionalString(body, 'message', maxInput);
    if (message === undefined || message.trim() === '') throw new ConduitError('invalid_request', "'message' is required", { code: 'missing_message', param: 'message' });
    const enableTools = body.enable_tools === undefined ? true : body.enable_tools;
    if (typeof enableTools !== 'boolean') throw new ConduitError('invalid_request', "'enable_tools' must be a boolean", { param: 'enable_tools' });
    const agent = runtime.getAgent(chatAgent);
    authorize(ctx.principal, agent.modelName ?? agent.model.modelId, `${agent.model.provider}/${agent.model.modelId}`);
    const result: RunResult = await runtime.startRun(chatAgent, { input: message, ...(enableTools ? {} : { toolNames: [] }) });
    ctx.sendJson(
      200,
      JSON.stringify({
        response: result.text,
        tools_used: result.toolsUsed,
        run_id: result.runId,
        status: result.status,
        ...(result.pendingApprovals.length > 0 ? { pending_approvals: result.pendingApprovals.map((a) => ({ id: a.approvalId, tool: a.tool, arguments: a.args })) } : {}),
      }),
    );
  }

  return {
    name: 'agents',
    matches: (path) => path === '/v1/chat' || path === '/v1/agents' || path.startsWith('/v1/agents/') || path === '/v1/runs' || path.startsWith('/v1/runs/'),
    async handle(ctx, path) {
      runtime = await getRuntime();
      const method = ctx.req.method ?? 'GET';
      if (path === '/v1/chat') {
        requireMethod(method, 'POST', path);
        return chat(ctx);
      }
      const agentSegments = pathSegments(path, '/v1/agents');
      if (agentSegments !== undefined) {
        if (agentSegments.length === 0) {
          requireMethod(method, 'GET', path);
          const agents = runtime.listAgents().map((a) => ({ name: a.name, description: a.description ?? null, model: a.modelName ?? `${a.model.provider}/${a.model.modelId}`, tools: a.tools.map((t) => t.name) }));
          ctx.sendJson(200, JSON.stringify({ object: 'list', data: agents }));
          return;
        }
        if (agentSegments.length === 2 && agentSegments[1] === 'runs') {
          requireMethod(method, 'POST', path);
          return startRun(ctx, agentSegments[0]!);
        }
        throw notFound(path);
      }
      const runSegments = pathSegments(path, '/v1/runs') ?? [];
      if (runSegments.length === 0) {
        requireMethod(method, 'GET', path);
        const q = queryOf(ctx);
        const status = q.get('status');
        if (status !== null && !RUN_STATUSES.includes(status as RunStatus)) throw new ConduitError('invalid_request', `Unknown status '${status}'`, { param: 'status' });
        const limit = q.get('limit');
        const runs = await runtime.listRuns({
          ...(status === null ? {} : { status: status as RunStatus }),
          ...(q.get('agent') === null ? {} : { agent: q.get('agent')! }),
          ...(limit === null ? {} : { limit: Number(limit) || 50 }),
        });
        ctx.sendJson(200, JSON.stringify({ object: 'list', data: runs.map((r) => runJson(r)) }));
        return;
      }
      const runId = runSegments[0]!;
      if (runSegments.length === 1) {
        requireMethod(method, 'GET', path);
        if ((ctx.req.headers.accept ?? '').includes('text/event-stream')) return followRunSse(ctx, runId);
        return sendRun(ctx, runId, true);
      }
      if (runSegments.length === 3 && runSegments[1] === 'approvals') {
        requireMethod(method, 'POST', path);
        return decide(ctx, runId, runSegments[2]!);
      }
      throw notFound(path);
    },
  };
}

function authorize(principal: Principal | undefined, ...names: string[]): void {
  if (principal !== undefined) authorizeModel(principal, names);
}

function objectBody(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ConduitError('invalid_request', 'The body must be a JSON object', { code: 'invalid_body' });
  return body as Record<string, unknown>;
}

function optionalString(body: Record<string, unknown>, key: string, max: number): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new ConduitError('invalid_request', `'${key}' must be a string`, { param: key });
  if (v.length > max) throw new ConduitError('payload_too_large', `'${key}' is longer than ${max} characters`, { param: key });
  return v;
}

function stringArray(v: unknown, key: string): string[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new ConduitError('invalid_request', `'${key}' must be an array of strings`, { param: key });
  return v as string[];
}

/** Earlier conversation turns: only user and assistant text (tool turns belong to runs, not callers). */
function parseMessages(v: unknown): Message[] {
  if (!Array.isArray(v)) throw new ConduitError('invalid_request', "'messages' must be an array", { param: 'messages' });
  return v.map((m, i) => {
    const o = m as { role?: unknown; content?: unknown };
    if (o === null || typeof o !== 'object' || (o.role !== 'user' && o.role !== 'assistant') || typeof o.content !== 'string') {
      throw new ConduitError('invalid_request', `messages[${i}] must be {role: 'user'|'assistant', content: string}`, { param: `messages[${i}]` });
    }
    return o.role === 'user' ? { role: 'user', content: o.content } : { role: 'assistant', content: o.content };
  });
}

function requireMethod(method: string, expected: string, path: string): void {
  if (method !== expected) throw new ConduitError('invalid_request', `${method} is not supported on ${path}; use ${expected}`, { code: 'method_not_allowed', status: 405 });
}

function notFound(path: string): ConduitError {
  return new ConduitError('not_found', `Unknown URL: ${path}`, { code: 'unknown_url' });
}

