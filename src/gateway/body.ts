/**
 * Request bodies: read with a byte limit (stop at the limit, never buffer past it), parse JSON once,
 * then bound the nesting depth with a walk over the parsed value that never descends deeper than
 * the limit (so it costs O(nodes above the limit), not a second parse over the bytes).
 */
import { IncomingMessage } from 'node:http';
import { ConduitError } from '../core/errors.js';

/**
 * node:http request class used by the gateway: carries the body-reading state on the request
 * itself so the stream listeners are shared module-level functions, not per-request closures.
 */
export class GatewayRequest extends IncomingMessage {
  bodyChunks: Buffer[] = [];
  bodyBytes = 0;
  bodyLimit = 0;
  bodyResolve: ((body: Buffer) => void) | undefined = undefined;
  bodyReject: ((err: ConduitError) => void) | undefined = undefined;
}

function tooLarge(limit: number): ConduitError {
  return new ConduitError('payload_too_large', `Request body is larger than the gateway's limit of ${limit} bytes`, {
    code: 'request_too_large',
  });
}

function onData(this: GatewayRequest, chunk: Buffer): void {
  this.bodyBytes += chunk.length;
  if (this.bodyBytes > this.bodyLimit) {
    // Stop accumulating right here; the 413 response closes the connection, so the rest is never read into memory.
    this.bodyChunks = [];
    this.removeListener('data', onData);
    this.pause();
    settleReject(this, tooLarge(this.bodyLimit));
    return;
  }
  this.bodyChunks.push(chunk);
}

function onEnd(this: GatewayRequest): void {
  const chunks = this.bodyChunks;
  this.bodyChunks = [];
  const resolve = this.bodyResolve;
  this.bodyResolve = undefined;
  this.bodyReject = undefined;
  if (resolve !== undefined) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.bodyBytes));
}

function onAborted(this: GatewayRequest): void {
  settleReject(this, new ConduitError('cancelled', 'The client closed the connection while sending the request'));
}

function onError(this: GatewayRequest, err: Error): void {
  settleReject(this, new ConduitError('cancelled', 'The request body could not be read', { cause: err }));
}

function settleReject(req: GatewayRequest, err: ConduitError): void {
  const reject = req.bodyReject;
  req.bodyResolve = undefined;
  req.bodyReject = undefined;
  if (reject !== undefined) reject(err);
}

/**
 * Reads the whole body, rejecting with `payload_too_large` as soon as it passes `limitBytes`
 * (immediately, without reading, when Content-Length already says so).
 */
export function readBody(req: GatewayRequest, limitBytes: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limitBytes) return Promise.reject(tooLarge(limitBytes));
  req.bodyLimit = limitBytes;
  return new Promise<Buffer>((resolve, reject) => {
    req.bodyResolve = resolve;
    req.bodyReject = reject;
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('aborted', onAborted);
    req.on('error', onError);
  });
}

/**
 * The whole body, when it already sits in the request's buffer: the usual small JSON request
 * arrives in the same packet as its headers, so by the first await after the 'request' event the
 * parser has buffered all of it. Taking it with one `read()` skips the 'data'/'end' event flow,
 * four listeners and a promise (time to first token is measured from here). Undefined when the
 * length is unknown (chunked) or not all of it has arrived: use readBody then.
 */
export function takeBufferedBody(req: GatewayRequest, limitBytes: number): Buffer | undefined {
  const declared = req.headers['content-length'];
  if (declared === undefined || req.readableFlowing !== null) return undefined;
  const length = Number(declared);
  if (!(length > 0) || length > limitBytes || req.readableLength !== length) return undefined;
  const body = req.read(length) as Buffer | null;
  return body === null ? undefined : body;
}

/** True when `value` nests objects/arrays deeper than `maxDepth` (the top-level value is depth 1). */
export function exceedsDepth(value: unknown, maxDepth: number): boolean {
  return walk(value, 1, maxDepth);
}

function walk(value: unknown, depth: number, max: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (depth > max) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (typeof v === 'object' && v !== null && walk(v, depth + 1, max)) return true;
    }
    return false;
  }
  for (const key in value) {
    const v: unknown = (value as Record<string, unknown>)[key];
    if (typeof v === 'object' && v !== null && walk(v, depth + 1, max)) return true;
  }
  return false;
}

/** Parses a JSON body once and enforces the nesting limit; both failures are 400 invalid_request. */
export function parseJsonBody(body: Buffer, maxDepth: number): unknown {
  if (body.length === 0) throw new ConduitError('invalid_request', 'Request body is empty; expected a JSON object', { code: 'invalid_json' });
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new ConduitError('invalid_request', `Request body is not valid JSON: ${detail}`, { cause: err, code: 'invalid_json' });
  }
  if (exceedsDepth(value, maxDepth)) {
    throw new ConduitError('invalid_request', `Request body nests deeper than the gateway's limit of ${maxDepth} levels`, {
      code: 'nesting_too_deep',
    });
  }
  return value;
}
