/**
 * Provider-neutral description of what a fake upstream should do for one request. Each fake
 * (OpenAI, Anthropic) renders a Scenario into its provider's exact wire format, so one conformance
 * suite can drive every adapter through the same situations.
 */
import type { FinishReason, Usage } from '../../src/core/usage.js';

export interface ScenarioToolCall {
  id: string;
  name: string;
  /** Raw JSON arguments text. Streamed in several deltas. */
  arguments: string;
}

export interface ReplyScenario {
  kind: 'reply';
  /** Text of the reply; for streams it is sent as `chunks` if given, else split into ~4-char pieces. */
  text?: string;
  chunks?: string[];
  toolCalls?: ScenarioToolCall[];
  finishReason?: FinishReason;
  usage?: Partial<Usage>;
  /** Model id the upstream reports back. */
  model?: string;
  /** Visible reasoning (Anthropic thinking blocks; OpenAI-compatible `reasoning_content`). */
  reasoning?: string;
}

export interface ErrorScenario {
  kind: 'error';
  status: number;
  message: string;
  /** Provider error type, e.g. `rate_limit_error`, `invalid_request_error`, `overloaded_error`. */
  type?: string;
  code?: string;
  /** Sent as the `Retry-After` header (seconds). */
  retryAfterSeconds?: number;
}

export interface FaultScenario {
  kind: 'fault';
  fault:
    | { type: 'slow-first-byte'; delayMs: number } // wait before sending headers, then serve `then`
    | { type: 'cut-after-chunks'; chunks: number } // stream: destroy the socket after N content chunks
    | { type: 'stall-after-chunks'; chunks: number } // stream: keep the socket open, send nothing more
    | { type: 'in-band-error-after-chunks'; chunks: number; message: string } // stream: provider error event
    | { type: 'connection-reset' } // destroy the socket before any response
    | { type: 'malformed-json' }; // 200 with a body that is not JSON
  then?: ReplyScenario;
}

export type Scenario = ReplyScenario | ErrorScenario | FaultScenario;

/** What the fake recorded about one request it received. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** Splits text into small pieces the way real providers stream it. */
export function splitIntoChunks(text: string, size = 4): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}
