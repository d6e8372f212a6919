/**
 * The explicit "the documents do not say" answer. The model is told to begin with this exact phrase
 * when the context does not support an answer; detection also accepts close variants, because
 * models paraphrase instructions ("The provided documents don't mention…").
 */
export const INSUFFICIENT_CONTEXT_PREFIX = 'The documents do not say';

export function insufficientContextAnswer(question: string, reason?: string): string {
  const detail = reason ? ` ${reason}` : '';
  return `${INSUFFICIENT_CONTEXT_PREFIX} anything that answers "${stripQuestionMark(question)}".${detail}`;
}

const PATTERNS = [
  /^\W*the (provided )?(documents|context|passages|sources) (do not|does not|don't|doesn't) (say|contain|mention|include|provide|cover|answer)/i,
  /^\W*(there is|there's) (no|not enough) information (in|within) the (provided )?(documents|context|passages)/i,
  /^\W*i (cannot|can't|can not) (answer|find)[^.]{0,40}(documents|context|passages)/i,
];

export function saysInsufficientContext(answer: string): boolean {
  return PATTERNS.some((p) => p.test(answer.trim()));
}

function stripQuestionMark(text: string): string {
  return text.trim().replace(/[?.!\s]+$/, '');
}
