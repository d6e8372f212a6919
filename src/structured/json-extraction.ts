/**
 * Tolerant JSON extraction from model output. Models wrap JSON in code fences and prose ("Here is
 * the result: {...} Let me know…") far more often than they send bad JSON itself, so the parser
 * digs the JSON out before judging it. What it accepts, in order:
 *
 * 1. the whole (trimmed) text, if it is valid JSON;
 * 2. the body of the first ``` / ```json code fence, if there is one;
 * 3. the first balanced `{…}` or `[…]` in the text (string- and escape-aware), surrounding prose ignored;
 * 4. in each candidate, trailing commas before `}` or `]` are removed (outside strings) as a last try.
 *
 * Not accepted: single quotes, comments, unquoted keys, NaN/Infinity — those are reported as parse
 * errors and go back to the model in the repair turn, which fixes them more reliably than guessing.
 */

export type JsonExtraction = { ok: true; value: unknown } | { ok: false; error: string };

const FENCE = /```[a-zA-Z0-9_-]*[^\S\n]*\n?([\s\S]*?)(?:```|$)/;

export function extractJson(text: string): JsonExtraction {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, error: 'The output was empty; expected a JSON value.' };
  const candidates: string[] = [trimmed];
  const fence = FENCE.exec(trimmed);
  if (fence?.[1] !== undefined && fence[1].trim() !== '') candidates.push(fence[1].trim());
  for (const source of [...candidates]) {
    const balanced = firstBalancedJson(source);
    if (balanced !== undefined) candidates.push(balanced);
  }
  let firstError: string | undefined;
  for (const candidate of candidates) {
    for (const attempt of [candidate, removeTrailingCommas(candidate)]) {
      try {
        return { ok: true, value: JSON.parse(attempt) as unknown };
      } catch (err) {
        firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  }
  if (!/[[{]/.test(trimmed)) return { ok: false, error: 'No JSON object or array found in the output.' };
  return { ok: false, error: `Invalid JSON: ${firstError ?? 'could not parse'}` };
}

/**
 * The first `{…}` or `[…]` whose brackets balance, skipping brackets inside strings. When the text
 * ends before it closes (a truncated answer), returns the unterminated tail so the parse error
 * describes the truncation.
 */
export function firstBalancedJson(text: string): string | undefined {
  const start = text.search(/[[{]/);
  if (start < 0) return undefined;
  const stack: string[] = [];
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{') stack.push('}');
    else if (ch === '[') stack.push(']');
    else if (ch === '}' || ch === ']') {
      if (stack.pop() !== ch) return text.slice(start, i + 1); // mismatched: let JSON.parse report it
      if (stack.length === 0) return text.slice(start, i + 1);
    }
  }
  return text.slice(start);
}

/** Removes commas that directly precede `}` or `]` (ignoring whitespace), outside strings. */
export function removeTrailingCommas(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      out += ch;
      if (ch === '\\') {
        out += text[i + 1] ?? '';
        i++;
      } else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    if (ch === ',') {
      let j = i + 1;
      while (j < text.length && /\s/.test(text[j]!)) j++;
      if (text[j] === '}' || text[j] === ']') continue;
    }
    out += ch;
  }
  return out;
}
