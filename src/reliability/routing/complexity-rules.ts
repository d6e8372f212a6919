/**
 * The rule tier of complexity-based routing: cheap checks that settle most requests without a
 * model call. Complex signals are checked first (tool use, code, reasoning keywords, a long prompt,
 * a long conversation), then the one simple signal (a short single question); anything else is
 * undecided and goes to the classifier, or to the large tier when there is none.
 */
import type { RequestSignals } from './request-signals.js';

export type ComplexityLabel = 'simple' | 'complex';

export interface ComplexityRuleOptions {
  /** A single-turn request whose last user message is at most this long is simple (default 200 chars, as in the guides). */
  simpleMaxChars?: number;
  /** A conversation with more text than this is complex (default 4000 chars ≈ 1000 tokens). */
  complexMinChars?: number;
  /** More user turns than this is complex (default 6). */
  complexMinTurns?: number;
  /** Tools offered or used make a request complex (default true). */
  toolsAreComplex?: boolean;
  /** Code in the request makes it complex (default true). */
  codeIsComplex?: boolean;
}

export interface RuleVerdict {
  label: ComplexityLabel;
  /** `tool_use`, `code`, `keyword`, `length`, `turns`, `short`. */
  rule: string;
  /** The keyword that matched, for `keyword`. */
  match?: string;
}

export function applyComplexityRules(signals: RequestSignals, options: ComplexityRuleOptions = {}): RuleVerdict | undefined {
  const simpleMaxChars = options.simpleMaxChars ?? 200;
  const complexMinChars = options.complexMinChars ?? 4000;
  const complexMinTurns = options.complexMinTurns ?? 6;
  if ((options.toolsAreComplex ?? true) && signals.usesTools) return { label: 'complex', rule: 'tool_use' };
  if ((options.codeIsComplex ?? true) && signals.hasCode) return { label: 'complex', rule: 'code' };
  if (signals.reasoningKeyword !== undefined) return { label: 'complex', rule: 'keyword', match: signals.reasoningKeyword };
  if (signals.totalChars > complexMinChars) return { label: 'complex', rule: 'length' };
  if (signals.userTurns > complexMinTurns) return { label: 'complex', rule: 'turns' };
  if (signals.userTurns <= 1 && signals.lastUserText.trim().length <= simpleMaxChars) return { label: 'simple', rule: 'short' };
  return undefined;
}
