/**
 * A fake Anthropic Messages API on loopback: real node:http, rendering provider-neutral Scenarios
 * in Anthropic's exact wire format (message JSON, `event: <type>` SSE streams, error bodies,
 * `retry-after`), plus every transport fault the failover logic must survive.
 *
 * It validates incoming requests the way the real API does for the basics (required fields,
 * strict user/assistant alternation, tool_use/tool_result pairing, no empty text blocks), so an
 * adapter whose mapping is wrong gets the 400 it would get in production instead of a green test.
 * The real API has since relaxed alternation (it merges same-role turns); the fake stays strict
 * on purpose, because an adapter that merges correctly works against both.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Usage } from '../../src/core/usage.js';
import {
  ScenarioQueue,
  ServerLifecycle,
  parseJsonBody,
  readRequestBody,
  resetSocket,
  type FakeUpstream,
  type FakeUpstreamOptions,
} from './fake-upstream.js';
import { splitIntoChunks, type ErrorScenario, type FaultScenario, type RecordedRequest, type ReplyScenario, type Scenario } from './scenario.js';

export interface FakeAnthropicOptions extends FakeUpstreamOptions {
  /** Reject malformed requests with the API's 400/401 errors (default true). */
  validate?: boolean;
}

/** Served when no scenario is queued and no chooser was given. */
const DEFAULT_REPLY: ReplyScenario = { kind: 'reply', text: 'Hello from the fake Anthropic upstream.' };

/** What GET /v1/models lists. */
export const FAKE_ANTHROPIC_MODELS = ['claude-sonnet-4-6', 'claude-opus-4-7', 'claude-haiku-4-5', 'claude-sonnet-4-5'];

export async function startFakeAnthropic(opts: FakeAnthropicOptions = {}): Promise<FakeUpstream> {
  const queue = new ScenarioQueue(opts.scenarios);
  const requests: RecordedRequest[] = [];
  const record = opts.record ?? true;
  const validate = opts.validate ?? true;
  let counter = 0;

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // A bug in the fake must surface as a loud 500, not a hung test.
      if (!res.headersSent) sendError(res, 500, 'api_error', `fake upstream failure: ${String(err)}`);
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 60_000;
  const lifecycle = new ServerLifecycle(server);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readRequestBody(req);
    const recorded: RecordedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body: parseJsonBody(text) };
    if (record) requests.push(recorded);
    const path = (req.url ?? '/').split('?')[0];

    if (req.method === 'GET' && path === '/v1/models') {
      const data = FAKE_ANTHROPIC_MODELS.map((id) => ({ type: 'model', id, display_name: id, created_at: '2025-01-01T00:00:00Z' }));
      sendJson(res, 200, { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null });
      return;
    }
    if (path !== '/v1/messages') {
      sendError(res, 404, 'not_found_error', `Not found: ${req.method} ${path}`);
      return;
    }
    if (req.method !== 'POST') {
      sendError(res, 405, 'invalid_request_error', `Method ${req.method} not allowed`);
      return;
    }
    if (validate) {
      const rejection = validateRequest(req.headers, recorded.body);
      if (rejection) {
        sendError(res, rejection.status, rejection.type, rejection.message);
        return;
      }
    }
    const body = recorded.body as { model?: unknown; stream?: unknown };
    const ctx: RenderContext = {
      model: typeof body.model === 'string' ? body.model : 'claude-fake',
      stream: body.stream === true,
      messageId: `msg_fake_${String(++counter).padStart(6, '0')}`,
    };
    render(queue.next(recorded) ?? DEFAULT_REPLY, req, res, ctx);
  }

  function render(scenario: Scenario, req: IncomingMessage, res: ServerResponse, ctx: RenderContext): void {
    switch (scenario.kind) {
      case 'reply':
        if (ctx.stream) writeStream(res, streamFrames(scenario, ctx), { type: 'complete' });
        else sendJson(res, 200, messageBody(scenario, ctx));
        return;
      case 'error':
        renderError(res, scenario);
        return;
      case 'fault':
        renderFault(scenario, req, res, ctx);
        return;
    }
  }

  function renderFault(scenario: FaultScenario, req: IncomingMessage, res: ServerResponse, ctx: RenderContext): void {
    const then = scenario.then ?? DEFAULT_REPLY;
    const fault = scenario.fault;
    switch (fault.type) {
      case 'slow-first-byte':
        lifecycle.later(fault.delayMs, () => {
          if (!res.destroyed && !req.socket.destroyed) render(then, req, res, ctx);
        });
        return;
      case 'connection-reset':
        resetSocket(req.socket);
        return;
      case 'malformed-json':
        if (ctx.stream) {
          res.writeHead(200, sseHeaders(ctx));
          res.end('event: message_start\ndata: {"type":"message_start","message":{"id":\n\n');
        } else {
          res.writeHead(200, { 'content-type': 'application/json', 'request-id': requestId(ctx) });
          res.end('{"id":"msg_broken","type":"message","content":[{"type":"text","text":"trunc');
        }
        return;
      case 'cut-after-chunks':
        if (ctx.stream) writeStream(res, streamFrames(then, ctx), { type: 'cut', afterContent: fault.chunks });
        else cutJson(res, JSON.stringify(messageBody(then, ctx)), fault.chunks === 0 ? 0 : 0.5, ctx);
        return;
      case 'stall-after-chunks':
        if (ctx.stream) writeStream(res, streamFrames(then, ctx), { type: 'stall', afterContent: fault.chunks });
        else {
          // Headers and half a body, then silence: what a hung upstream looks like to a JSON client.
          const json = JSON.stringify(messageBody(then, ctx));
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json), 'request-id': requestId(ctx) });
          if (fault.chunks > 0) res.write(json.slice(0, Math.floor(json.length / 2)));
          else res.flushHeaders();
        }
        return;
      case 'in-band-error-after-chunks':
        if (ctx.stream) writeStream(res, streamFrames(then, ctx), { type: 'error', afterContent: fault.chunks, message: fault.message });
        // Without streaming there is no "in band": the API answers the overload with a 529.
        else sendError(res, 529, 'overloaded_error', fault.message, ctx);
        return;
    }
  }

  const port = await lifecycle.listen();
  return {
    // The origin, as ANTHROPIC_BASE_URL and @anthropic-ai/sdk's baseURL expect it (no `/v1`).
    url: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (s: Scenario) => queue.enqueue(s),
    close: () => lifecycle.close(),
  };
}

interface RenderContext {
  model: string;
  stream: boolean;
  messageId: string;
}

// ------------------------------------------------------------------------------ reply rendering

/**
 * Conduit usage → Anthropic usage. Conduit's inputTokens includes cache reads and writes;
 * Anthropic's input_tokens excludes them. Reasoning tokens are part of output_tokens and broken
 * out in `output_tokens_details.thinking_tokens` (sent only when the scenario names them).
 */
export function toAnthropicUsage(u: Partial<Usage> | undefined, fallbackOutput: number): Record<string, unknown> & { output_tokens: number } {
  const cacheRead = u?.cachedInputTokens ?? 0;
  const cacheWrite = u?.cacheWriteTokens ?? 0;
  const input = u?.inputTokens ?? 10;
  return {
    input_tokens: Math.max(0, input - cacheRead - cacheWrite),
    cache_creation_input_tokens: cacheWrite,
    cache_read_input_tokens: cacheRead,
    output_tokens: u?.outputTokens ?? fallbackOutput,
    ...(u?.reasoningTokens !== undefined ? { output_tokens_details: { thinking_tokens: u.reasoningTokens } } : {}),
  };
}

function stopReason(s: ReplyScenario): string {
  switch (s.finishReason) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    case 'stop':
      return 'end_turn';
    case 'other':
      return 'pause_turn';
    default:
      return s.toolCalls && s.toolCalls.length > 0 ? 'tool_use' : 'end_turn';
  }
}

function replyText(s: ReplyScenario): string {
  return s.chunks ? s.chunks.join('') : (s.text ?? '');
}

/** A complete (non-streaming) Messages API response. */
export function messageBody(s: ReplyScenario, ctx: { model: string; messageId: string }): Record<string, unknown> {
  const content: Record<string, unknown>[] = [];
  if (s.reasoning) content.push({ type: 'thinking', thinking: s.reasoning, signature: 'fake-signature' });
  const text = replyText(s);
  if (text !== '' || !s.toolCalls?.length) content.push({ type: 'text', text });
  for (const call of s.toolCalls ?? []) {
    content.push({ type: 'tool_use', id: call.id, name: call.name, input: call.arguments === '' ? {} : (JSON.parse(call.arguments) as unknown) });
  }
  return {
    id: ctx.messageId,
    type: 'message',
    role: 'assistant',
    model: s.model ?? ctx.model,
    content,
    stop_reason: stopReason(s),
    stop_sequence: null,
    usage: toAnthropicUsage(s.usage, Math.max(1, Math.ceil(text.length / 4))),
  };
}

interface Frame {
  event: string;
  data: unknown;
  /** A content_block_delta carrying model output (counted by the *-after-chunks faults). */
  content: boolean;
}

const frame = (event: string, data: Record<string, unknown>, content = false): Frame => ({ event, data: { type: event, ...data }, content });

/** The SSE events of a streamed reply, in the order the API sends them. */
export function streamFrames(s: ReplyScenario, ctx: { model: string; messageId: string }): Frame[] {
  const text = replyText(s);
  const chunks = s.chunks ?? splitIntoChunks(text);
  const usage = toAnthropicUsage(s.usage, Math.max(1, chunks.length));
  const frames: Frame[] = [
    frame('message_start', {
      message: {
        id: ctx.messageId,
        type: 'message',
        role: 'assistant',
        model: s.model ?? ctx.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        // Like the API: the input side is final here, output_tokens is a small placeholder.
        usage: { ...usage, output_tokens: 1, output_tokens_details: undefined },
      },
    }),
  ];
  let index = 0;
  if (s.reasoning) {
    frames.push(frame('content_block_start', { index, content_block: { type: 'thinking', thinking: '', signature: '' } }));
    for (const piece of splitIntoChunks(s.reasoning, 8)) frames.push(frame('content_block_delta', { index, delta: { type: 'thinking_delta', thinking: piece } }, true));
    frames.push(frame('content_block_delta', { index, delta: { type: 'signature_delta', signature: 'fake-signature' } }));
    frames.push(frame('content_block_stop', { index }));
    index++;
  }
  frames.push(frame('ping', {}));
  if (text !== '' || !s.toolCalls?.length) {
    frames.push(frame('content_block_start', { index, content_block: { type: 'text', text: '' } }));
    for (const piece of chunks) if (piece !== '') frames.push(frame('content_block_delta', { index, delta: { type: 'text_delta', text: piece } }, true));
    frames.push(frame('content_block_stop', { index }));
    index++;
  }
  for (const call of s.toolCalls ?? []) {
    frames.push(frame('content_block_start', { index, content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} } }));
    // The API opens every tool input with an empty partial_json before the real fragments.
    frames.push(frame('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: '' } }));
    for (const piece of splitIntoChunks(call.arguments, 7)) frames.push(frame('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: piece } }, true));
    frames.push(frame('content_block_stop', { index }));
    index++;
  }
  frames.push(frame('message_delta', { delta: { stop_reason: stopReason(s), stop_sequence: null }, usage: { output_tokens: usage.output_tokens, ...(usage.output_tokens_details ? { output_tokens_details: usage.output_tokens_details } : {}) } }));
  frames.push(frame('message_stop', {}));
  return frames;
}

const sseFrame = (f: Frame): string => `event: ${f.event}\ndata: ${JSON.stringify(f.data)}\n\n`;

type StreamEnding =
  | { type: 'complete' }
  | { type: 'cut'; afterContent: number }
  | { type: 'stall'; afterContent: number }
  | { type: 'error'; afterContent: number; message: string };

function writeStream(res: ServerResponse, frames: Frame[], ending: StreamEnding): void {
  res.writeHead(200, sseHeaders());
  let out = '';
  let content = 0;
  for (const f of frames) {
    if (ending.type !== 'complete' && f.content && content === ending.afterContent) break;
    out += sseFrame(f);
    if (f.content) content++;
  }
  switch (ending.type) {
    case 'complete':
      res.end(out);
      return;
    case 'stall':
      // Sent, then silence with the socket open; the fake's close() destroys it.
      res.write(out);
      return;
    case 'cut':
      // Destroy only after the bytes reached the kernel, so the client really sees the content first.
      res.write(out, () => res.socket?.destroy());
      return;
    case 'error':
      out += `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: ending.message } })}\n\n`;
      res.end(out);
      return;
  }
}

function cutJson(res: ServerResponse, json: string, fraction: number, ctx: RenderContext): void {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json), 'request-id': requestId(ctx) });
  res.write(json.slice(0, Math.floor(json.length * fraction)), () => res.socket?.destroy());
}

// ------------------------------------------------------------------------------ errors

/** Anthropic's error `type` for a status, as documented in the API's errors page. */
export function errorTypeForStatus(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 503:
    case 529:
      return 'overloaded_error';
    case 504:
      return 'timeout_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

function renderError(res: ServerResponse, s: ErrorScenario): void {
  const headers: Record<string, string> = {};
  if (s.retryAfterSeconds !== undefined) headers['retry-after'] = String(s.retryAfterSeconds);
  sendError(res, s.status, s.type ?? errorTypeForStatus(s.status), s.message, undefined, headers);
}

function sendError(res: ServerResponse, status: number, type: string, message: string, ctx?: RenderContext, headers: Record<string, string> = {}): void {
  const id = requestId(ctx);
  sendJson(res, status, { type: 'error', error: { type, message }, request_id: id }, { ...headers, 'request-id': id });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json), ...headers });
  res.end(json);
}

function sseHeaders(ctx?: RenderContext): Record<string, string> {
  return { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'request-id': requestId(ctx) };
}

let requestCounter = 0;
function requestId(ctx?: RenderContext): string {
  return ctx ? `req_${ctx.messageId}` : `req_fake_${++requestCounter}`;
}

// ------------------------------------------------------------------------------ validation

interface Rejection {
  status: number;
  type: string;
  message: string;
}

const bad = (message: string): Rejection => ({ status: 400, type: 'invalid_request_error', message });
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The basic checks of the real API, with its messages where we know them. */
export function validateRequest(headers: IncomingMessage['headers'], body: unknown): Rejection | undefined {
  if (!headers['x-api-key'] && !headers.authorization) return { status: 401, type: 'authentication_error', message: 'x-api-key header is required' };
  if (!headers['anthropic-version']) return bad('anthropic-version: header is required');
  if (!isObj(body)) return bad('Request body must be a JSON object');
  if (typeof body.model !== 'string' || body.model === '') return bad('model: Field required');
  if (body.max_tokens === undefined) return bad('max_tokens: Field required');
  if (!Number.isInteger(body.max_tokens) || (body.max_tokens as number) < 1) return bad('max_tokens: Input should be a positive integer');
  if (body.stream !== undefined && typeof body.stream !== 'boolean') return bad('stream: Input should be a valid boolean');
  for (const key of ['temperature', 'top_p'] as const) {
    const v = body[key];
    if (v !== undefined && (typeof v !== 'number' || v < 0 || v > 1)) return bad(`${key}: Input should be between 0 and 1`);
  }
  if (body.stop_sequences !== undefined && (!Array.isArray(body.stop_sequences) || !body.stop_sequences.every((s) => typeof s === 'string'))) {
    return bad('stop_sequences: Input should be a list of strings');
  }
  const system = validateSystem(body.system);
  if (system) return system;
  const tools = validateTools(body.tools, body.tool_choice);
  if (tools) return tools;
  const thinking = validateThinking(body.thinking, body.max_tokens as number);
  if (thinking) return thinking;
  return validateMessages(body.messages, Array.isArray(body.tools) && body.tools.length > 0);
}

function validateSystem(system: unknown): Rejection | undefined {
  if (system === undefined || typeof system === 'string') return undefined;
  if (!Array.isArray(system)) return bad('system: Input should be a valid string or list of text blocks');
  for (const [i, block] of system.entries()) {
    if (!isObj(block) || block.type !== 'text' || typeof block.text !== 'string') return bad(`system.${i}: Input should be a text block`);
    if (block.text === '') return bad('system: text content blocks must be non-empty');
  }
  return undefined;
}

function validateTools(tools: unknown, choice: unknown): Rejection | undefined {
  if (tools !== undefined) {
    if (!Array.isArray(tools)) return bad('tools: Input should be a valid list');
    for (const [i, tool] of tools.entries()) {
      if (!isObj(tool) || typeof tool.name !== 'string' || !/^[a-zA-Z0-9_-]{1,128}$/.test(tool.name)) return bad(`tools.${i}.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'`);
      if (!isObj(tool.input_schema)) return bad(`tools.${i}.input_schema: Field required`);
      if (tool.input_schema.type !== 'object') return bad(`tools.${i}.input_schema.type: Input should be 'object'`);
    }
  }
  if (choice !== undefined) {
    if (!isObj(choice) || !['auto', 'any', 'tool', 'none'].includes(String(choice.type))) return bad("tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'");
    if (choice.type === 'tool' && typeof choice.name !== 'string') return bad('tool_choice.name: Field required');
    if (choice.type === 'none' && 'disable_parallel_tool_use' in choice) return bad('tool_choice.none.disable_parallel_tool_use: Extra inputs are not permitted');
  }
  return undefined;
}

function validateThinking(thinking: unknown, maxTokens: number): Rejection | undefined {
  if (thinking === undefined) return undefined;
  if (!isObj(thinking)) return bad('thinking: Input should be an object');
  // 'adaptive' and 'between_tools' let the model size its own thinking: no budget to check.
  if (thinking.type === 'disabled' || thinking.type === 'adaptive' || thinking.type === 'between_tools') return undefined;
  if (thinking.type !== 'enabled') return bad("thinking.type: Input should be 'enabled', 'disabled', 'adaptive' or 'between_tools'");
  const budget = thinking.budget_tokens;
  if (typeof budget !== 'number' || !Number.isInteger(budget) || budget < 1024) return bad('thinking.enabled.budget_tokens: Input should be greater than or equal to 1024');
  if (budget >= maxTokens) return bad('`max_tokens` must be greater than `thinking.budget_tokens`');
  return undefined;
}

function validateMessages(messages: unknown, toolsDefined: boolean): Rejection | undefined {
  if (!Array.isArray(messages)) return bad('messages: Field required');
  if (messages.length === 0) return bad('messages: at least one message is required');
  let pendingToolUse: string[] = [];
  for (const [i, m] of messages.entries()) {
    if (!isObj(m)) return bad(`messages.${i}: Input should be an object`);
    if (m.role !== 'user' && m.role !== 'assistant') return bad(`messages.${i}.role: Input should be 'user' or 'assistant'`);
    const prev = i > 0 ? (messages[i - 1] as Record<string, unknown>).role : undefined;
    if (prev === m.role) return bad(`messages: roles must alternate between "user" and "assistant", but found multiple "${m.role}" roles in a row`);
    if (i === 0 && m.role !== 'user') return bad('messages: first message must use the "user" role');

    const content = m.content;
    if (typeof content === 'string') {
      if (content === '' && !(m.role === 'assistant' && i === messages.length - 1)) return bad(`messages.${i}: all messages must have non-empty content except for the optional final assistant message`);
      if (pendingToolUse.length > 0) return missingResults(i, pendingToolUse);
      continue;
    }
    if (!Array.isArray(content)) return bad(`messages.${i}.content: Input should be a valid string or list`);
    if (content.length === 0 && !(m.role === 'assistant' && i === messages.length - 1)) return bad(`messages.${i}: all messages must have non-empty content except for the optional final assistant message`);

    const toolUseIds: string[] = [];
    const resultIds: string[] = [];
    let sawNonResult = false;
    for (const [j, block] of content.entries()) {
      const at = `messages.${i}.content.${j}`;
      if (!isObj(block)) return bad(`${at}: Input should be an object`);
      switch (block.type) {
        case 'text':
          if (typeof block.text !== 'string') return bad(`${at}.text: Field required`);
          if (block.text === '') return bad('messages: text content blocks must be non-empty');
          sawNonResult = true;
          break;
        case 'image': {
          if (m.role !== 'user') return bad(`${at}: image blocks are only allowed in user messages`);
          const source = block.source;
          if (!isObj(source)) return bad(`${at}.source: Field required`);
          if (source.type === 'base64') {
            if (typeof source.media_type !== 'string' || typeof source.data !== 'string') return bad(`${at}.source: media_type and data are required`);
          } else if (source.type === 'url') {
            if (typeof source.url !== 'string') return bad(`${at}.source.url: Field required`);
          } else return bad(`${at}.source.type: Input should be 'base64' or 'url'`);
          sawNonResult = true;
          break;
        }
        case 'tool_use':
          if (m.role !== 'assistant') return bad(`${at}: tool_use blocks are only allowed in assistant messages`);
          if (typeof block.id !== 'string' || typeof block.name !== 'string') return bad(`${at}: id and name are required`);
          if (!isObj(block.input)) return bad(`${at}.input: Input should be a valid dictionary`);
          toolUseIds.push(block.id);
          break;
        case 'tool_result':
          if (m.role !== 'user') return bad(`${at}: tool_result blocks are only allowed in user messages`);
          if (typeof block.tool_use_id !== 'string') return bad(`${at}.tool_use_id: Field required`);
          if (sawNonResult) return bad(`messages.${i}: tool_result blocks must come first in the user message content`);
          if (!pendingToolUse.includes(block.tool_use_id)) {
            return bad(`${at}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${block.tool_use_id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`);
          }
          if (block.content !== undefined && typeof block.content !== 'string' && !Array.isArray(block.content)) return bad(`${at}.content: Input should be a valid string or list`);
          resultIds.push(block.tool_use_id);
          break;
        case 'thinking':
        case 'redacted_thinking':
          if (m.role !== 'assistant') return bad(`${at}: thinking blocks are only allowed in assistant messages`);
          break;
        default:
          return bad(`${at}.type: unknown content block type ${String(block.type)}`);
      }
    }
    if ((toolUseIds.length > 0 || resultIds.length > 0) && !toolsDefined) return bad('Requests which include `tool_use` or `tool_result` blocks must define tools.');
    if (m.role === 'user') {
      const missing = pendingToolUse.filter((id) => !resultIds.includes(id));
      if (missing.length > 0) return missingResults(i, missing);
      pendingToolUse = [];
    } else pendingToolUse = toolUseIds;
  }
  return undefined;
}

function missingResults(i: number, ids: string[]): Rejection {
  return bad(`messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${ids.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`);
}
