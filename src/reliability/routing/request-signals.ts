/**
 * What the routing rules read from a request, computed once: the last user message, how long the
 * conversation is, whether code, reasoning keywords or tools are involved. Pure string work — no
 * tokenizer, no model — so it is cheap enough to run on every routed request.
 */
import { contentText } from '../../core/messages.js';
import type { ModelRequest } from '../../models/language-model.js';

export interface RequestSignals {
  /** Text of the last user message. */
  lastUserText: string;
  /** Characters of text across every message. */
  totalChars: number;
  /** User messages in the conversation. */
  userTurns: number;
  /** Tools offered, or tool calls/results already in the conversation. */
  usesTools: boolean;
  /** A code fence or lines that look like source code, anywhere in the user/system text. */
  hasCode: boolean;
  /** The first reasoning keyword found in the last user message (lower-cased), if any. */
  reasoningKeyword: string | undefined;
}

/**
 * Words and phrases that ask for multi-step reasoning (the guides route "complex reasoning and code"
 * to the large model). Matched case-insensitively on word boundaries in the last user message.
 */
export const DEFAULT_REASONING_KEYWORDS: readonly string[] = [
  'prove',
  'proof',
  'step by step',
  'step-by-step',
  'derive',
  'theorem',
  'lemma',
  'formally',
  'rigorous',
  'analyze',
  'analyse',
  'trade-offs',
  'tradeoffs',
  'optimize',
  'optimise',
  'algorithm',
  'complexity of',
  'debug',
  'refactor',
];

/** A fenced block, or a line with a typical statement/declaration shape in some common language. */
const CODE_PATTERNS: readonly RegExp[] = [
  /```/,
  /^\s*(?:def|class|import|from\s+\S+\s+import|function|const|let|var|public|private|fn|func|package|#include|using\s+namespace)\b/m,
  /^\s*(?:if|for|while)\s*\(.*\)\s*\{/m,
  /=>\s*\{|\)\s*\{\s*$|;\s*$/m,
  /\b(?:SELECT|INSERT|UPDATE|DELETE)\b[\s\S]{0,200}\b(?:FROM|INTO|SET|WHERE)\b/,
];

export function hasCode(text: string): boolean {
  return CODE_PATTERNS.some((p) => p.test(text));
}

export function findKeyword(text: string, keywords: readonly string[]): string | undefined {
  const lower = text.toLowerCase();
  for (const keyword of keywords) {
    const k = keyword.toLowerCase();
    let at = lower.indexOf(k);
    while (at >= 0) {
      const before = at === 0 ? '' : lower[at - 1]!;
      const after = lower[at + k.length] ?? '';
      if (!/[a-z0-9]/.test(before) && !/[a-z0-9]/.test(after)) return k;
      at = lower.indexOf(k, at + 1);
    }
  }
  return undefined;
}

export function requestSignals(request: ModelRequest, reasoningKeywords: readonly string[] = DEFAULT_REASONING_KEYWORDS): RequestSignals {
  let lastUserText = '';
  let totalChars = 0;
  let userTurns = 0;
  let usesTools = (request.tools?.length ?? 0) > 0;
  let code = false;
  for (const message of request.messages) {
    const text = contentText(message.content);
    totalChars += text.length;
    switch (message.role) {
      case 'user':
        userTurns++;
        lastUserText = text;
        if (!code) code = hasCode(text);
        break;
      case 'system':
        break;
      case 'tool':
        usesTools = true;
        break;
      case 'assistant':
        if ((message.toolCalls?.length ?? 0) > 0) usesTools = true;
        break;
    }
  }
  return { lastUserText, totalChars, userTurns, usesTools, hasCode: code, reasoningKeyword: findKeyword(lastUserText, reasoningKeywords) };
}

/**
 * A coarse task type for per-task quality scores, from the same signals: `code`, `reasoning`,
 * `tools`, else `general`. A caller who knows better sends `x-conduit-task-type`.
 */
export function detectTaskType(signals: RequestSignals): string {
  if (signals.hasCode) return 'code';
  if (signals.reasoningKeyword !== undefined) return 'reasoning';
  if (signals.usesTools) return 'tools';
  return 'general';
}
