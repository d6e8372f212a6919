/**
 * A fake OpenAI API on loopback (real node:http), rendering provider-neutral Scenarios in OpenAI's
 * exact wire format: `chat.completion` bodies, `chat.completion.chunk` SSE with the role delta
 * first, tool-call deltas (id and name in the first delta of each index, then argument fragments),
 * the finish chunk, the usage chunk (`choices: []`) only when `stream_options.include_usage`, and
 * `data: [DONE]`; error bodies `{"error":{message,type,param,code}}` with `Retry-After`; and every
 * fault of scenario.ts. Also `GET /v1/models` and `POST /v1/embeddings` (deterministic vectors).
 *
 * It doubles as the upstream of the gateway benchmark, so the default path (no scenario queued)
 * does minimal work: one JSON.parse of the request, one write of a short fixed reply.
 *
 * Scenarios are consumed by `POST /v1/chat/completions` and `POST /v1/embeddings` only;
 * `GET /v1/models` never takes one, so reachability probes do not eat a test's queued scenario.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { FakeUpstream, FakeUpstreamOptions } from './fake-upstream.js';
import { ScenarioQueue, ServerLifecycle, parseJsonBody, readRequestBody, resetSocket } from './fake-upstream.js';
import { splitIntoChunks, type ErrorScenario, type FaultScenario, type RecordedRequest, type ReplyScenario, type Scenario } from './scenario.js';
import type { FinishReason } from '../../src/core/usage.js';

export interface FakeOpenAIOptions extends FakeUpstreamOptions {
  /** Ids listed by `GET /v1/models` (default: gpt-4o-mini, gpt-4o, text-embedding-3-small). */
  models?: string[];
  /** Text of the default reply. */
  defaultText?: string;
}

export interface FakeOpenAI extends FakeUpstream {
  /** The port it listens on (127.0.0.1). */
  readonly port: number;
}

export const DEFAULT_FAKE_OPENAI_TEXT = 'Hello from the fake upstream.';
const DEFAULT_MODELS = ['gpt-4o-mini', 'gpt-4o', 'text-embedding-3-small'];
const DEFAULT_EMBEDDING_DIMENSIONS = 32;

export async function startFakeOpenAI(opts: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const record = opts.record ?? true;
  const requests: RecordedRequest[] = [];
  const scenarios = new ScenarioQueue(opts.scenarios);
  const models = opts.models ?? DEFAULT_MODELS;
  const defaultReply: ReplyScenario = { kind: 'reply', text: opts.defaultText ?? DEFAULT_FAKE_OPENAI_TEXT };
  let counter = 0;
  const defaults = new DefaultReplyCache(defaultReply);

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      // A bug in the fake must show up in the test, not hang it.
      if (!res.headersSent) sendError(res, { kind: 'error', status: 500, message: `fake upstream bug: ${String(err)}`, type: 'server_error' });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 60_000;
  const life = new ServerLifecycle(server);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawBody = req.method === 'POST' ? await readRequestBody(req) : '';
    const recorded: RecordedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body: parseJsonBody(rawBody) };
    if (record) requests.push(recorded);
    const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '');

    if (req.method === 'GET' && path === '/v1/models') return sendJson(res, 200, modelList(models));
    if (req.method === 'GET' && path.startsWith('/v1/models/')) {
      const id = decodeURIComponent(path.slice('/v1/models/'.length));
      if (models.includes(id)) return sendJson(res, 200, modelObject(id));
      return sendError(res, { kind: 'error', status: 404, message: `The model '${id}' does not exist`, type: 'invalid_request_error', code: 'model_not_found' });
    }
    if (req.method === 'POST' && (path === '/v1/chat/completions' || path === '/v1/embeddings')) {
      const scenario = scenarios.next(recorded);
      const ctx: RenderContext = { req, res, body: recorded.body, id: ++counter, life };
      if (path === '/v1/embeddings') return serveEmbeddings(ctx, scenario ?? defaultReply);
      if (scenario === undefined && !wantsLogprobs(ctx.body)) return defaults.serve(ctx);
      return serveChat(ctx, scenario ?? defaultReply);
    }
    sendError(res, { kind: 'error', status: 404, message: `Unknown request URL: ${req.method} ${req.url}`, type: 'invalid_request_error', code: 'unknown_url' });
  }

  const port = await life.listen();
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    enqueue: (s) => scenarios.enqueue(s),
    close: () => life.close(),
  };
}

// ---------------------------------------------------------------- chat completions

const ID_SLOT = '\u0000';

/**
 * The benchmark's hot path: the default reply rendered once per (model, stream, usage) and second,
 * with a slot for the per-request id, so a request costs one string join and one write.
 */
class DefaultReplyCache {
  private readonly entries = new Map<string, { second: number; parts: string[] }>();

  constructor(private readonly reply: ReplyScenario) {}

  serve(ctx: RenderContext): void {
    const body = ctx.body;
    const model = requestedModel(body);
    const stream = isStreamRequest(body);
    const key = `${stream ? (wantsStreamUsage(body) ? 'su' : 's') : 'j'}:${model}`;
    const second = nowSeconds();
    let entry = this.entries.get(key);
    if (entry === undefined || entry.second !== second) {
      if (this.entries.size > 64) this.entries.clear();
      const rendered = stream ? joinEvents(streamEvents(this.reply, body, model, ID_SLOT)) : completionPayload(this.reply, body, model, ID_SLOT);
      // JSON.stringify escapes U+0000, so the raw slot only occurs where the id goes.
      entry = { second, parts: rendered.split(JSON.stringify(ID_SLOT).slice(1, -1)) };
      this.entries.set(key, entry);
    }
    const payload = entry.parts.join(`fake${ctx.id}`);
    if (!stream) return sendCompletion(ctx, payload);
    writeSseHead(ctx.res, ctx.id);
    ctx.res.end(payload);
  }
}

function joinEvents(events: StreamEvents): string {
  return events.head + events.content.join('') + events.tail.join('');
}

interface RenderContext {
  req: IncomingMessage;
  res: ServerResponse;
  body: unknown;
  id: number;
  life: ServerLifecycle;
}

function serveChat(ctx: RenderContext, scenario: Scenario): void {
  if (scenario.kind === 'error') return sendError(ctx.res, scenario);
  if (scenario.kind === 'reply') return renderChat(ctx, scenario, undefined);
  serveFault(ctx, scenario, (then) => renderChat(ctx, then, scenario.fault));
}

/** Faults common to every endpoint; `serve` renders the endpoint's normal reply, with the fault applied to its body. */
function serveFault(ctx: RenderContext, scenario: FaultScenario, serve: (then: ReplyScenario) => void): void {
  const then: ReplyScenario = scenario.then ?? { kind: 'reply', text: DEFAULT_FAKE_OPENAI_TEXT };
  const fault = scenario.fault;
  switch (fault.type) {
    case 'connection-reset':
      resetSocket(ctx.req.socket);
      return;
    case 'slow-first-byte':
      // Nothing is sent until the delay passes; a client that gives up first just closes the socket.
      ctx.life.later(fault.delayMs, () => {
        if (!ctx.res.destroyed && !ctx.req.socket.destroyed) serve(then);
      });
      return;
    case 'malformed-json':
      if (isStreamRequest(ctx.body) && !ctx.req.url?.includes('/embeddings')) {
        writeSseHead(ctx.res);
        ctx.res.end(`data: ${JSON.stringify(chunkEnvelope(`fake${ctx.id}`, requestedModel(ctx.body), [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }], false))}\n\ndata: {"id":"chatcmpl-broken","choices":[{"delta":\n\ndata: [DONE]\n\n`);
      } else {
        ctx.res.writeHead(200, { 'content-type': 'application/json' });
        ctx.res.end('{"id":"chatcmpl-broken","object":"chat.completion","choices":[{"index":0,"message":');
      }
      return;
    default:
      serve(then);
  }
}

function renderChat(ctx: RenderContext, reply: ReplyScenario, fault: FaultScenario['fault'] | undefined): void {
  const body = ctx.body;
  const model = reply.model ?? requestedModel(body);
  if (isStreamRequest(body)) return streamChat(ctx, reply, model, fault);

  if (fault?.type === 'in-band-error-after-chunks') {
    // Non-streamed "in-band" error: what some OpenAI-compatible proxies do, a 200 carrying an error body.
    return sendJson(ctx.res, 200, errorBody({ kind: 'error', status: 500, message: fault.message, type: 'server_error' }));
  }
  const payload = completionPayload(reply, body, model, `fake${ctx.id}`);
  if (fault?.type === 'cut-after-chunks' || fault?.type === 'stall-after-chunks') {
    // A non-streamed body can only be cut or stalled half-way.
    ctx.res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
    ctx.res.write(payload.slice(0, Math.floor(payload.length / 2)), () => {
      if (fault.type === 'cut-after-chunks') ctx.req.socket.destroy();
    });
    return;
  }
  sendCompletion(ctx, payload);
}

function sendCompletion(ctx: RenderContext, payload: string): void {
  ctx.res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), 'x-request-id': `req_fake${ctx.id}` });
  ctx.res.end(payload);
}

/** A `chat.completion` body; `idTag` makes the id `chatcmpl-<idTag>`. */
function completionPayload(reply: ReplyScenario, body: unknown, model: string, idTag: string): string {
  return JSON.stringify({
    id: `chatcmpl-${idTag}`,
    object: 'chat.completion',
    created: nowSeconds(),
    model,
    choices: [
      {
        index: 0,
        message: completionMessage(reply),
        logprobs: wantsLogprobs(body) ? { content: tokenLogprobs(reply.text ?? (reply.chunks ?? []).join(''), topLogprobsOf(body)), refusal: null } : null,
        finish_reason: finishReasonOf(reply),
      },
    ],
    usage: usageOf(reply),
    service_tier: 'default',
    system_fingerprint: 'fp_fake',
  });
}

function completionMessage(reply: ReplyScenario): Record<string, unknown> {
  const text = reply.text ?? (reply.chunks ? reply.chunks.join('') : undefined);
  const message: Record<string, unknown> = { role: 'assistant', content: text === undefined || text === '' ? (reply.toolCalls?.length ? null : '') : text, refusal: null, annotations: [] };
  if (reply.reasoning !== undefined) message.reasoning_content = reply.reasoning;
  if (reply.toolCalls?.length) {
    message.tool_calls = reply.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
  }
  return message;
}

interface StreamEvents {
  /** The role delta: framing, not content. */
  head: string;
  /** One SSE event per content chunk (reasoning, text, tool-call deltas): what faults count. */
  content: string[];
  /** Finish chunk, usage chunk (when asked for) and [DONE]. */
  tail: string[];
}

/** The SSE events of one streamed reply; `idTag` makes the id `chatcmpl-<idTag>`. */
function streamEvents(reply: ReplyScenario, body: unknown, model: string, idTag: string): StreamEvents {
  const includeUsage = wantsStreamUsage(body);
  const logprobs = wantsLogprobs(body);
  const topLogprobs = topLogprobsOf(body);
  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null, lp: unknown = null) =>
    `data: ${JSON.stringify(chunkEnvelope(idTag, model, [{ index: 0, delta, logprobs: lp, finish_reason: finishReason }], includeUsage))}\n\n`;

  const head = chunk({ role: 'assistant', content: '', refusal: null });
  const content: string[] = [];
  if (reply.reasoning) for (const piece of splitIntoChunks(reply.reasoning, 8)) content.push(chunk({ reasoning_content: piece }));
  const pieces = reply.chunks ?? (reply.text ? splitIntoChunks(reply.text) : []);
  for (const piece of pieces) content.push(chunk({ content: piece }, null, logprobs ? { content: tokenLogprobs(piece, topLogprobs), refusal: null } : null));
  content.push(...toolCallChunks(reply, chunk));

  const tail: string[] = [chunk({}, finishReasonOf(reply))];
  if (includeUsage) tail.push(`data: ${JSON.stringify({ ...chunkEnvelope(idTag, model, [], false), usage: usageOf(reply) })}\n\n`);
  tail.push('data: [DONE]\n\n');
  return { head, content, tail };
}

function streamChat(ctx: RenderContext, reply: ReplyScenario, model: string, fault: FaultScenario['fault'] | undefined): void {
  const { head, content, tail } = streamEvents(reply, ctx.body, model, `fake${ctx.id}`);
  writeSseHead(ctx.res, ctx.id);
  if (fault === undefined || fault.type === 'slow-first-byte') {
    ctx.res.end(head + content.join('') + tail.join(''));
    return;
  }
  const sent = head + content.slice(0, 'chunks' in fault ? fault.chunks : 0).join('');
  switch (fault.type) {
    case 'cut-after-chunks':
      ctx.res.write(sent, () => ctx.req.socket.destroy());
      return;
    case 'stall-after-chunks':
      ctx.res.write(sent); // …and nothing more: the socket stays open until the client or close() ends it.
      return;
    case 'in-band-error-after-chunks':
      ctx.res.end(sent + `data: ${JSON.stringify(errorBody({ kind: 'error', status: 500, message: fault.message, type: 'server_error' }))}\n\n`);
      return;
    default:
      ctx.res.end(head + content.join('') + tail.join(''));
  }
}

/**
 * Tool-call deltas as OpenAI sends them: the first delta of each index carries id, type and name
 * with empty arguments; later ones carry argument fragments only. Parallel calls are interleaved
 * (start 0, frag 0, start 1, frag 1, frag 0, …) so an adapter that assumes one call at a time fails.
 */
function toolCallChunks(reply: ReplyScenario, chunk: (delta: Record<string, unknown>) => string): string[] {
  const calls = reply.toolCalls ?? [];
  if (calls.length === 0) return [];
  const fragments = calls.map((c) => splitIntoChunks(c.arguments, 7));
  const out: string[] = [];
  const longest = Math.max(1, ...fragments.map((f) => f.length));
  for (let round = 0; round < longest; round++) {
    for (const [index, call] of calls.entries()) {
      if (round === 0) out.push(chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }));
      const fragment = fragments[index]![round];
      if (fragment !== undefined) out.push(chunk({ tool_calls: [{ index, function: { arguments: fragment } }] }));
    }
  }
  return out;
}

function chunkEnvelope(idTag: string, model: string, choices: unknown[], includeUsageNull: boolean): Record<string, unknown> {
  const envelope: Record<string, unknown> = {
    id: `chatcmpl-${idTag}`,
    object: 'chat.completion.chunk',
    created: nowSeconds(),
    model,
    service_tier: 'default',
    system_fingerprint: 'fp_fake',
    choices,
  };
  // With include_usage, OpenAI sends `"usage": null` on every chunk but the last.
  if (includeUsageNull) envelope.usage = null;
  return envelope;
}

function writeSseHead(res: ServerResponse, id?: number): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    ...(id !== undefined ? { 'x-request-id': `req_fake${id}` } : {}),
  });
}

function usageOf(reply: ReplyScenario): Record<string, unknown> {
  const u = reply.usage ?? {};
  const pieces = reply.chunks?.length ?? (reply.text ? splitIntoChunks(reply.text).length : 0);
  const input = u.inputTokens ?? 8;
  const output = u.outputTokens ?? Math.max(1, pieces + (reply.toolCalls?.length ?? 0) * 8);
  return {
    prompt_tokens: input,
    completion_tokens: output,
    total_tokens: input + output,
    prompt_tokens_details: { cached_tokens: u.cachedInputTokens ?? 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: u.reasoningTokens ?? 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

const FINISH_REASONS: Record<FinishReason, string> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool_calls',
  content_filter: 'content_filter',
  error: 'stop',
  other: 'stop',
};

function finishReasonOf(reply: ReplyScenario): string {
  if (reply.finishReason) return FINISH_REASONS[reply.finishReason];
  return reply.toolCalls?.length ? 'tool_calls' : 'stop';
}

/** Deterministic fake log-probabilities, one token per 4 characters. */
function tokenLogprobs(text: string, top: number): unknown[] {
  return splitIntoChunks(text).map((token, i) => {
    const logprob = -0.01 * (i + 1);
    return {
      token,
      logprob,
      bytes: [...Buffer.from(token, 'utf8')],
      top_logprobs: Array.from({ length: top }, (_, k) => ({ token: k === 0 ? token : `${token}~${k}`, logprob: logprob - k, bytes: null })),
    };
  });
}

// ---------------------------------------------------------------- embeddings

function serveEmbeddings(ctx: RenderContext, scenario: Scenario): void {
  if (scenario.kind === 'error') return sendError(ctx.res, scenario);
  if (scenario.kind === 'reply') return renderEmbeddings(ctx, scenario.model);
  serveFault(ctx, scenario, (then) => {
    const fault = scenario.fault;
    if (fault.type === 'cut-after-chunks' || fault.type === 'stall-after-chunks') {
      ctx.res.writeHead(200, { 'content-type': 'application/json', 'content-length': 4096 });
      ctx.res.write('{"object":"list","data":[', () => {
        if (fault.type === 'cut-after-chunks') ctx.req.socket.destroy();
      });
      return;
    }
    if (fault.type === 'in-band-error-after-chunks') return sendJson(ctx.res, 200, errorBody({ kind: 'error', status: 500, message: fault.message }));
    renderEmbeddings(ctx, then.model);
  });
}

function renderEmbeddings(ctx: RenderContext, modelOverride: string | undefined): void {
  const body = isRecord(ctx.body) ? ctx.body : {};
  const inputs = Array.isArray(body.input) && body.input.every((x) => typeof x === 'string') ? (body.input as string[]) : typeof body.input === 'string' ? [body.input] : undefined;
  if (!inputs) {
    return sendError(ctx.res, { kind: 'error', status: 400, message: "'input' must be a string or an array of strings", type: 'invalid_request_error' }, 'input');
  }
  const dimensions = typeof body.dimensions === 'number' && body.dimensions > 0 ? Math.floor(body.dimensions) : DEFAULT_EMBEDDING_DIMENSIONS;
  const base64 = body.encoding_format === 'base64';
  let tokens = 0;
  const data = inputs.map((text, index) => {
    tokens += Math.max(1, Math.ceil(text.length / 4));
    const vector = deterministicEmbedding(text, dimensions);
    const embedding = base64 ? Buffer.from(Float32Array.from(vector).buffer).toString('base64') : vector;
    return { object: 'embedding', index, embedding };
  });
  sendJson(ctx.res, 200, { object: 'list', data, model: modelOverride ?? requestedModel(body, 'text-embedding-3-small'), usage: { prompt_tokens: tokens, total_tokens: tokens } });
}

/** A unit vector seeded by the text's FNV-1a hash: same text, same vector; different texts, different vectors. */
export function deterministicEmbedding(text: string, dimensions: number): number[] {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  const out = new Array<number>(dimensions);
  let norm = 0;
  for (let i = 0; i < dimensions; i++) {
    h = (Math.imul(h, 1664525) + 1013904223) >>> 0; // LCG step
    const v = h / 0x100000000 - 0.5;
    out[i] = v;
    norm += v * v;
  }
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < dimensions; i++) out[i] = Math.fround(out[i]! / norm);
  return out;
}

// ---------------------------------------------------------------- models

function modelObject(id: string): Record<string, unknown> {
  return { id, object: 'model', created: 1_700_000_000, owned_by: 'system' };
}

function modelList(models: string[]): Record<string, unknown> {
  return { object: 'list', data: models.map(modelObject) };
}

// ---------------------------------------------------------------- shared

const DEFAULT_ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'invalid_request_error',
  403: 'invalid_request_error',
  404: 'invalid_request_error',
  408: 'timeout',
  413: 'invalid_request_error',
  422: 'invalid_request_error',
  429: 'requests',
  500: 'server_error',
  502: 'server_error',
  503: 'server_error',
  504: 'server_error',
};

function errorBody(scenario: ErrorScenario, param?: string): { error: Record<string, unknown> } {
  return {
    error: {
      message: scenario.message,
      type: scenario.type ?? DEFAULT_ERROR_TYPES[scenario.status] ?? (scenario.status >= 500 ? 'server_error' : 'invalid_request_error'),
      param: param ?? null,
      code: scenario.code ?? null,
    },
  };
}

function sendError(res: ServerResponse, scenario: ErrorScenario, param?: string): void {
  const payload = JSON.stringify(errorBody(scenario, param));
  const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) };
  if (scenario.retryAfterSeconds !== undefined) headers['retry-after'] = String(scenario.retryAfterSeconds);
  res.writeHead(scenario.status, headers);
  res.end(payload);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const payload = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStreamRequest(body: unknown): boolean {
  return isRecord(body) && body.stream === true;
}

function wantsStreamUsage(body: unknown): boolean {
  return isRecord(body) && isRecord(body.stream_options) && body.stream_options.include_usage === true;
}

function wantsLogprobs(body: unknown): boolean {
  return isRecord(body) && body.logprobs === true;
}

function topLogprobsOf(body: unknown): number {
  return isRecord(body) && typeof body.top_logprobs === 'number' ? body.top_logprobs : 0;
}

function requestedModel(body: unknown, fallback = 'gpt-4o-mini'): string {
  return isRecord(body) && typeof body.model === 'string' ? body.model : fallback;
}

let cachedSecond = 0;
let cachedSecondAt = 0;
/** `created` in seconds, recomputed at most every 100 ms (cheap on the benchmark's hot path). */
function nowSeconds(): number {
  const now = Date.now();
  if (now - cachedSecondAt > 100) {
    cachedSecondAt = now;
    cachedSecond = Math.floor(now / 1000);
  }
  return cachedSecond;
}

