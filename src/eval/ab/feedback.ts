/** The body of `POST /v1/feedback`: `{request_id, score | thumbs, comment}`. */
import { ConduitError } from '../../core/errors.js';
import type { FeedbackRecord } from './experiment-store.js';

const MAX_COMMENT_LENGTH = 4000;
const MAX_ABS_SCORE = 1_000_000;

export function parseFeedback(body: unknown): FeedbackRecord {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw invalid('The body must be a JSON object', 'body');
  const b = body as Record<string, unknown>;
  const requestId = b.request_id;
  if (typeof requestId !== 'string' || requestId.length === 0 || requestId.length > 200) throw invalid("'request_id' must be the x-request-id of an experiment request", 'request_id');
  const out: FeedbackRecord = { requestId };
  if (b.score !== undefined && b.score !== null) {
    if (typeof b.score !== 'number' || !Number.isFinite(b.score) || Math.abs(b.score) > MAX_ABS_SCORE) throw invalid("'score' must be a finite number (e.g. 1-5)", 'score');
    out.score = b.score;
  }
  if (b.thumbs !== undefined && b.thumbs !== null) {
    // 'up'/'down' as users write it, or a boolean as code sends it.
    if (b.thumbs === 'up' || b.thumbs === true) out.thumbsUp = true;
    else if (b.thumbs === 'down' || b.thumbs === false) out.thumbsUp = false;
    else throw invalid("'thumbs' must be 'up', 'down', true or false", 'thumbs');
  }
  if (out.score === undefined && out.thumbsUp === undefined) throw invalid("Give a 'score' or 'thumbs'", 'score');
  if (b.comment !== undefined && b.comment !== null) {
    if (typeof b.comment !== 'string') throw invalid("'comment' must be a string", 'comment');
    if (b.comment.length > MAX_COMMENT_LENGTH) throw new ConduitError('payload_too_large', `'comment' is longer than ${MAX_COMMENT_LENGTH} characters`, { param: 'comment' });
    out.comment = b.comment;
  }
  return out;
}

function invalid(message: string, param: string): ConduitError {
  return new ConduitError('invalid_request', message, { param, code: 'invalid_feedback' });
}
