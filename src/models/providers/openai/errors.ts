/**
 * Pure mapping of OpenAI (and OpenAI-compatible) error responses to ConduitError kinds. Handles
 * OpenAI's `{"error":{message,type,code,param}}`, the `{"error":"text"}` of Ollama and llama.cpp,
 * and vLLM's top-level `{"object":"error","message",…}`.
 */
import { ConduitError, type ErrorKind } from '../../../core/errors.js';
import { errorKindForStatus, retryAfterFromHeaders, type ResponseHeaders } from '../../http/index.js';

export interface OpenAIErrorInfo {
  message: string;
  type?: string;
  code?: string;
  param?: string;
}

/** Extracts message/type/code/param from an error body, whichever dialect it is in. */
export function parseOpenAIErrorBody(bodyText: string): OpenAIErrorInfo | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText);
  } catch {
    return undefined;
  }
  return errorInfoFrom(parsed);
}

export function errorInfoFrom(value: unknown): OpenAIErrorInfo | undefined {
  if (!isRecord(value)) return undefined;
  const inner = value.error;
  if (typeof inner === 'string') return { message: inner };
  const source = isRecord(inner) ? inner : typeof value.message === 'string' ? value : undefined;
  if (!source) return undefined;
  const info: OpenAIErrorInfo = { message: typeof source.message === 'string' ? source.message : JSON.stringify(source) };
  if (typeof source.type === 'string') info.type = source.type;
  if (typeof source.code === 'string' || typeof source.code === 'number') info.code = String(source.code);
  if (typeof source.param === 'string') info.param = source.param;
  return info;
}

const CONTEXT_LENGTH = /context[_ ]length|maximum context|context (?:window|size)|too many tokens|prompt is too long/i;
const CONTENT_POLICY = /content[_ ](?:management[_ ])?policy|content_filter|safety system|flagged as potentially violating/i;

/** The kind an error body + status deserves; more specific than the status alone where OpenAI says more. */
export function openAIErrorKind(status: number, info: OpenAIErrorInfo | undefined): ErrorKind {
  const code = info?.code ?? '';
  const text = `${code} ${info?.type ?? ''} ${info?.message ?? ''}`;
  if (status === 400 || status === 413 || status === 422) {
    if (code === 'context_length_exceeded' || code === 'string_above_max_length' || CONTEXT_LENGTH.test(text)) return 'context_length';
    if (code === 'content_policy_violation' || code === 'content_filter' || CONTENT_POLICY.test(text)) return 'policy_refusal';
  }
  if (status === 403 && (code === 'content_policy_violation' || CONTENT_POLICY.test(text))) return 'policy_refusal';
  return errorKindForStatus(status);
}

/** The `mapError` for providerFetch: a non-2xx OpenAI response → ConduitError. */
export function mapOpenAIError(args: { provider: string; model: string; status: number; headers: ResponseHeaders; bodyText: string }): ConduitError {
  const { provider, model, status, headers, bodyText } = args;
  const info = parseOpenAIErrorBody(bodyText);
  const kind = openAIErrorKind(status, info);
  const message = info?.message ?? (bodyText.trim().slice(0, 500) || `HTTP ${status}`);
  // insufficient_quota is a 429 that waiting will not fix (the account is out of credit).
  const retryable = info?.code === 'insufficient_quota' ? false : undefined;
  return new ConduitError(kind, `${provider} (${model}): ${message}`, {
    provider,
    model,
    upstreamStatus: status,
    retryAfterMs: retryAfterFromHeaders(headers),
    ...(retryable !== undefined ? { retryable } : {}),
    ...(info?.code !== undefined ? { code: info.code } : {}),
    ...(info?.param !== undefined ? { param: info.param } : {}),
  });
}

/**
 * An error reported inside a 200 response: a `{"error":…}` SSE chunk mid-stream, or a 200 JSON
 * body carrying an error (some OpenAI-compatible proxies). The HTTP status says nothing here, so
 * the kind comes from the error's type/code; the default is a retryable provider_error.
 */
export function mapInBandError(info: OpenAIErrorInfo, provider: string, model: string): ConduitError {
  const text = `${info.code ?? ''} ${info.type ?? ''} ${info.message}`;
  let kind: ErrorKind = 'provider_error';
  if (/overload|unavailable|capacity/i.test(text)) kind = 'provider_unavailable';
  else if (/rate.?limit/i.test(text)) kind = 'rate_limited';
  else if (info.code === 'context_length_exceeded' || CONTEXT_LENGTH.test(text)) kind = 'context_length';
  else if (CONTENT_POLICY.test(text)) kind = 'policy_refusal';
  else if (/invalid_request/i.test(text)) kind = 'invalid_request';
  return new ConduitError(kind, `${provider} (${model}): ${info.message}`, {
    provider,
    model,
    upstreamStatus: 200,
    ...(info.code !== undefined ? { code: info.code } : {}),
    ...(info.param !== undefined ? { param: info.param } : {}),
  });
}

/**
 * Once content was delivered, a retryable failure can no longer be hidden by failover: it becomes
 * `stream_interrupted` (keeping the original as cause). Timeouts and cancellation keep their kind,
 * and the caller knows what was delivered from the parts it saw.
 */
export function interruptedAfterContent(err: ConduitError): ConduitError {
  if (err.kind !== 'provider_error' && err.kind !== 'provider_unavailable' && err.kind !== 'rate_limited') return err;
  return new ConduitError('stream_interrupted', `stream interrupted after content was sent: ${err.message}`, {
    cause: err,
    ...(err.provider !== undefined ? { provider: err.provider } : {}),
    ...(err.model !== undefined ? { model: err.model } : {}),
    ...(err.upstreamStatus !== undefined ? { upstreamStatus: err.upstreamStatus } : {}),
    ...(err.code !== undefined ? { code: err.code } : {}),
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
