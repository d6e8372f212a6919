/**
 * Turns a score for a query's outcome into a feedback-log entry: the query is typed the way
 * `adaptive` types it at selection time (so the score lands where the selector looks), and an
 * `adaptive:<strategy>` label — what an adaptive answer reports — scores the strategy that ran.
 */
import { ConduitError } from '../../core/errors.js';
import type { ConversationTurn } from '../transform/conversational-rewrite.js';
import type { FeedbackEntry, FeedbackLog } from './feedback-log.js';
import { extractQueryFeatures } from './query-features.js';

export interface RagFeedback {
  query: string;
  strategy: string;
  /** In [0, 1]; higher is better. */
  score: number;
  outcome?: string;
  comment?: string;
  history?: readonly ConversationTurn[];
}

export async function recordQueryFeedback(log: FeedbackLog, feedback: RagFeedback): Promise<FeedbackEntry> {
  if (typeof feedback.query !== 'string' || feedback.query.trim() === '') {
    throw new ConduitError('invalid_request', 'feedback needs the query', { code: 'invalid_feedback', param: 'query' });
  }
  const features = extractQueryFeatures(feedback.query, feedback.history ?? []);
  const entry: FeedbackEntry = {
    query: feedback.query,
    queryType: features.queryType,
    strategy: scoredStrategy(feedback.strategy),
    score: feedback.score,
    ...(feedback.outcome ? { outcome: feedback.outcome } : {}),
    ...(feedback.comment ? { comment: feedback.comment } : {}),
    at: new Date().toISOString(),
  };
  await log.record(entry);
  return entry;
}

/** `adaptive:hybrid` → `hybrid`; other names unchanged. */
export function scoredStrategy(label: string): string {
  return label.startsWith('adaptive:') ? label.slice('adaptive:'.length) : label;
}
