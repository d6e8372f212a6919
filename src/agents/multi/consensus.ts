/**
 * Deciding among options from the agents' votes. Each participant states one option with a
 * confidence in [0, 1] and its reasons.
 *
 * 1. Only votes from participants, for one of the options, count; a participant's first valid vote
 *    is the one that counts. Others are listed in `rejected` with why.
 * 2. The option with the most votes wins.
 * 3. A tie on votes goes to the tied option with the highest total confidence.
 * 4. A tie on that too is the coordinator's call: `tieBreaker(tied)` when given, otherwise the
 *    tied option listed first in the proposal's options (the proposer's order of preference).
 * No valid vote at all: no decision (`decidedBy: 'no_votes'`).
 */
import type { ConsensusVote } from './messages.js';

export interface CastVote extends Omit<ConsensusVote, 'proposalId'> {
  agent: string;
}

export interface OptionTally {
  option: string;
  votes: number;
  /** Sum of the confidences of its votes. */
  confidence: number;
  voters: string[];
}

export interface ConsensusDecision {
  decision: string | undefined;
  decidedBy: 'votes' | 'confidence' | 'coordinator' | 'no_votes';
  /** Every option, in the proposal's order. */
  tally: OptionTally[];
  /** The votes that counted. */
  votes: CastVote[];
  rejected: { agent: string; option: string; reason: string }[];
  /** Participants with no vote that counted. */
  abstained: string[];
}

export type TieBreaker = (tied: readonly string[]) => string;

/** Confidence sums are compared with this tolerance: 0.1 + 0.2 ties with 0.3. */
const EPSILON = 1e-9;

export function decideConsensus(options: readonly string[], participants: readonly string[], cast: readonly CastVote[], tieBreaker?: TieBreaker): ConsensusDecision {
  const allowed = new Set(participants);
  const votes: CastVote[] = [];
  const rejected: ConsensusDecision['rejected'] = [];
  const voted = new Set<string>();
  for (const vote of cast) {
    if (!allowed.has(vote.agent)) rejected.push({ agent: vote.agent, option: vote.option, reason: 'not a participant' });
    else if (!options.includes(vote.option)) rejected.push({ agent: vote.agent, option: vote.option, reason: 'not one of the options' });
    else if (voted.has(vote.agent)) rejected.push({ agent: vote.agent, option: vote.option, reason: 'already voted' });
    else {
      voted.add(vote.agent);
      votes.push(vote);
    }
  }
  const tally: OptionTally[] = options.map((option) => {
    const mine = votes.filter((v) => v.option === option);
    return { option, votes: mine.length, confidence: mine.reduce((sum, v) => sum + v.confidence, 0), voters: mine.map((v) => v.agent) };
  });
  const abstained = participants.filter((p) => !voted.has(p));
  const base = { tally, votes, rejected, abstained };
  if (votes.length === 0) return { ...base, decision: undefined, decidedBy: 'no_votes' };

  const mostVotes = Math.max(...tally.map((t) => t.votes));
  const byVotes = tally.filter((t) => t.votes === mostVotes);
  if (byVotes.length === 1) return { ...base, decision: byVotes[0]?.option, decidedBy: 'votes' };

  const mostConfidence = Math.max(...byVotes.map((t) => t.confidence));
  const byConfidence = byVotes.filter((t) => mostConfidence - t.confidence < EPSILON);
  if (byConfidence.length === 1) return { ...base, decision: byConfidence[0]?.option, decidedBy: 'confidence' };

  const tied = byConfidence.map((t) => t.option);
  const choice = tieBreaker?.(tied) ?? tied[0];
  // A tie-breaker must pick one of the tied options; anything else falls back to the proposal order.
  return { ...base, decision: choice !== undefined && tied.includes(choice) ? choice : tied[0], decidedBy: 'coordinator' };
}
