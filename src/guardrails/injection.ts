/**
 * Prompt-injection detection: rule-based, over the normalised views of normalise.ts, plus three
 * computed checks — base64 payloads that decode to an instruction, repetition attacks and length
 * attacks. It is a heuristic screen, not a classifier: it catches the known phrasings and their
 * obfuscations; a novel paraphrase can get through, and the score is a rule weight sum, not a
 * calibrated probability.
 */
import { COMPUTED_RULE_IDS, INJECTION_RULES, type CompiledInjectionRule, type InjectionCategory } from './injection-rules.js';
import { detectionViews, LazyView, originalSpan, type DetectionViews } from './normalise.js';

export type InjectionVerdict = 'block' | 'flag' | 'allow';

export interface InjectionMatch {
  ruleId: string;
  category: InjectionCategory;
  /** The weight the rule contributed (after overrides). */
  weight: number;
  /** The matched span of the original text (at most 120 chars). */
  excerpt: string;
}

export interface InjectionResult {
  /** 0..1: noisy-OR of the weights of the rules that fired. */
  score: number;
  verdict: InjectionVerdict;
  matches: InjectionMatch[];
}

export interface InjectionRuleOverride {
  enabled?: boolean;
  weight?: number;
}

export interface InjectionDetectorOptions {
  /** Score at or above which the verdict is `flag` (default 0.4). */
  flagThreshold?: number;
  /** Score at or above which the verdict is `block` (default 0.7). */
  blockThreshold?: number;
  /** Inputs longer than this many characters fire `length.max_chars` (weight 1). Default 100,000. */
  maxInputChars?: number;
  /** Inputs over this many tokens fire `length.max_tokens` (weight 1). Off unless set. */
  maxInputTokens?: number;
  /** Token counter for maxInputTokens; default: an estimate of ceil(chars / 4). */
  countTokens?: (text: string) => number;
  /** Repetition attack: at least `minWords` words, and one word/phrase (1–3 words) covering more than `maxShare` of them. */
  repetition?: { minWords?: number; maxShare?: number };
  /** Per-rule overrides by rule id: disable a rule or change its weight. */
  rules?: Record<string, InjectionRuleOverride>;
}

const DEFAULTS = {
  flagThreshold: 0.4,
  blockThreshold: 0.7,
  maxInputChars: 100_000,
  repetitionMinWords: 20,
  repetitionMaxShare: 0.5,
};

const COMPUTED_WEIGHTS: Record<string, number> = {
  [COMPUTED_RULE_IDS.encodedPayload]: 0.85,
  [COMPUTED_RULE_IDS.repetition]: 0.5,
  [COMPUTED_RULE_IDS.charRun]: 0.5,
  [COMPUTED_RULE_IDS.lengthChars]: 1,
  [COMPUTED_RULE_IDS.lengthTokens]: 1,
};

/** Every rule id the detector can report, with its category and default weight (for docs and config validation). */
export function listInjectionRules(): { id: string; category: InjectionCategory; weight: number; description: string }[] {
  return [
    ...INJECTION_RULES.map((r) => ({ id: r.id, category: r.category, weight: r.weight, description: r.description })),
    { id: COMPUTED_RULE_IDS.encodedPayload, category: 'encoded_payload', weight: 0.85, description: 'a base64 run that decodes to text an instruction rule matches' },
    { id: COMPUTED_RULE_IDS.repetition, category: 'repetition', weight: 0.5, description: 'one word or phrase makes up most of the input' },
    { id: COMPUTED_RULE_IDS.charRun, category: 'repetition', weight: 0.5, description: 'one character repeated hundreds of times' },
    { id: COMPUTED_RULE_IDS.lengthChars, category: 'length', weight: 1, description: 'input over maxInputChars' },
    { id: COMPUTED_RULE_IDS.lengthTokens, category: 'length', weight: 1, description: 'input over maxInputTokens' },
  ];
}

export interface InjectionDetector {
  /** `views` may be passed when already computed for `text` (the middleware shares them with the content filter). */
  detect(text: string, views?: DetectionViews): InjectionResult;
}

/** Builds a detector with its options resolved once (rule overrides applied up front, not per call). */
export function createInjectionDetector(options: InjectionDetectorOptions = {}): InjectionDetector {
  const flagThreshold = options.flagThreshold ?? DEFAULTS.flagThreshold;
  const blockThreshold = options.blockThreshold ?? DEFAULTS.blockThreshold;
  const maxInputChars = options.maxInputChars ?? DEFAULTS.maxInputChars;
  const maxInputTokens = options.maxInputTokens;
  const countTokens = options.countTokens ?? ((t: string) => Math.ceil(t.length / 4));
  const minWords = options.repetition?.minWords ?? DEFAULTS.repetitionMinWords;
  const maxShare = options.repetition?.maxShare ?? DEFAULTS.repetitionMaxShare;
  const overrides = options.rules ?? {};

  const rules: CompiledInjectionRule[] = [];
  for (const rule of INJECTION_RULES) {
    const o = overrides[rule.id];
    if (o?.enabled === false) continue;
    rules.push(o?.weight !== undefined ? { ...rule, weight: o.weight } : rule);
  }
  const computedWeight = (id: string): number | undefined => {
    const o = overrides[id];
    if (o?.enabled === false) return undefined;
    return o?.weight ?? COMPUTED_WEIGHTS[id];
  };

  function verdictOf(score: number): InjectionVerdict {
    if (score >= blockThreshold) return 'block';
    if (score >= flagThreshold) return 'flag';
    return 'allow';
  }

  function detect(text: string, precomputed?: DetectionViews): InjectionResult {
    const matches: InjectionMatch[] = [];

    // Length first: an over-long input is refused without paying for the scan.
    const lengthWeight = computedWeight(COMPUTED_RULE_IDS.lengthChars);
    if (lengthWeight !== undefined && text.length > maxInputChars) {
      matches.push({ ruleId: COMPUTED_RULE_IDS.lengthChars, category: 'length', weight: lengthWeight, excerpt: `${text.length} chars > ${maxInputChars}` });
      return finish(matches);
    }
    const tokenWeight = computedWeight(COMPUTED_RULE_IDS.lengthTokens);
    if (tokenWeight !== undefined && maxInputTokens !== undefined) {
      const tokens = countTokens(text);
      if (tokens > maxInputTokens) {
        matches.push({ ruleId: COMPUTED_RULE_IDS.lengthTokens, category: 'length', weight: tokenWeight, excerpt: `${tokens} tokens > ${maxInputTokens}` });
        return finish(matches);
      }
    }

    const views = precomputed ?? detectionViews(text);
    runRules(rules, views, matches);

    const encodedWeight = computedWeight(COMPUTED_RULE_IDS.encodedPayload);
    if (encodedWeight !== undefined) {
      const hit = findEncodedInstruction(text, rules, 2);
      if (hit) matches.push({ ruleId: COMPUTED_RULE_IDS.encodedPayload, category: 'encoded_payload', weight: encodedWeight, excerpt: hit });
    }

    const repWeight = computedWeight(COMPUTED_RULE_IDS.repetition);
    if (repWeight !== undefined) {
      const rep = dominantPhrase(views.words.text, minWords, maxShare);
      if (rep) matches.push({ ruleId: COMPUTED_RULE_IDS.repetition, category: 'repetition', weight: repWeight, excerpt: rep });
    }
    const runWeight = computedWeight(COMPUTED_RULE_IDS.charRun);
    if (runWeight !== undefined) {
      const run = hasUniformBlock(views.folded.text) ? CHAR_RUN.exec(views.folded.text) : null;
      if (run) matches.push({ ruleId: COMPUTED_RULE_IDS.charRun, category: 'repetition', weight: runWeight, excerpt: `"${run[1] ?? ''}" × ${run[0].length}` });
    }
    return finish(matches);
  }

  function finish(matches: InjectionMatch[]): InjectionResult {
    let keep = 1;
    for (const m of matches) keep *= 1 - Math.min(1, Math.max(0, m.weight));
    const score = Math.round((1 - keep) * 1000) / 1000;
    return { score, verdict: verdictOf(score), matches };
  }

  return { detect };
}

/** One-off detection with default (or given) options. Prefer createInjectionDetector for repeated use. */
export function detectInjection(text: string, options?: InjectionDetectorOptions): InjectionResult {
  return (options ? createInjectionDetector(options) : defaultDetector()).detect(text);
}

let shared: InjectionDetector | undefined;
function defaultDetector(): InjectionDetector {
  shared ??= createInjectionDetector();
  return shared;
}

/** True when the rule's prefilter lets it run on these views. */
export function gateOpen(gate: readonly string[] | undefined, text: string): boolean {
  if (gate === undefined) return true;
  for (const g of gate) if (text.includes(g)) return true;
  return false;
}

function runRules(rules: readonly CompiledInjectionRule[], views: DetectionViews, out: InjectionMatch[]): void {
  for (const rule of rules) {
    if (!gateOpen(rule.gate, views.letters.text) || !gateOpen(rule.gateFolded, views.folded.text)) continue;
    for (const p of rule.patterns) {
      const view = views[p.view];
      const m = p.re.exec(view.text);
      if (m) {
        const span = view instanceof LazyView ? view.originalSpan(m.index, m.index + m[0].length) : originalSpan(view, m.index, m.index + m[0].length);
        out.push({ ruleId: rule.id, category: rule.category, weight: rule.weight, excerpt: excerptOf(views.folded.original, span) });
        break; // one match per rule: a rule counts once in the score
      }
    }
  }
}

function excerptOf(original: string, span: { start: number; end: number }): string {
  const raw = original.slice(span.start, span.end).trim();
  return raw.length > 120 ? `${raw.slice(0, 117)}...` : raw;
}

// ---------- encoded payloads ----------

/** The lookbehind makes a failed run cost O(run), not O(run²): no retry from inside a run. */
const BASE64_RUN = /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{24,}={0,2}/g;
const MAX_ENCODED_CANDIDATES = 16;
/** Rules that, when they fire on decoded text, make the payload an injection (not e.g. a lone "</s>"). */
const ENCODED_TRIGGER_CATEGORIES: ReadonlySet<InjectionCategory> = new Set(['instruction_override', 'jailbreak', 'prompt_leak', 'system_tag', 'role_switch']);

/** Returns an excerpt when some base64 run decodes to printable text that a strong rule matches. */
function findEncodedInstruction(text: string, rules: readonly CompiledInjectionRule[], depth: number): string | undefined {
  if (depth <= 0 || text.length < 24) return undefined;
  BASE64_RUN.lastIndex = 0;
  let seen = 0;
  for (let m = BASE64_RUN.exec(text); m && seen < MAX_ENCODED_CANDIDATES; m = BASE64_RUN.exec(text)) {
    const candidate = m[0];
    // A run of letters only is a word (or a German compound), not base64.
    if (!/[0-9+/=_-]/.test(candidate) && !/[A-Z].*[a-z].*[A-Z]/.test(candidate)) continue;
    seen++;
    const decoded = decodeBase64Text(candidate);
    if (decoded === undefined) continue;
    const inner: InjectionMatch[] = [];
    runRules(rules, detectionViews(decoded), inner);
    const strong = inner.find((x) => ENCODED_TRIGGER_CATEGORIES.has(x.category) && x.weight >= 0.4);
    if (strong) return `base64 → ${strong.ruleId}: ${strong.excerpt.slice(0, 80)}`;
    const nested = findEncodedInstruction(decoded, rules, depth - 1);
    if (nested) return nested;
  }
  return undefined;
}

/** Decodes base64 (standard or URL-safe); undefined unless the result is mostly printable text. */
function decodeBase64Text(candidate: string): string | undefined {
  const decoded = Buffer.from(candidate.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
  if (decoded.length < 8) return undefined;
  let printable = 0;
  for (let i = 0; i < decoded.length; i++) {
    const c = decoded.charCodeAt(i);
    if ((c >= 0x20 && c < 0x7f) || c === 0x0a || c === 0x0d || c === 0x09 || (c >= 0xa0 && c !== 0xfffd)) printable++;
  }
  return printable / decoded.length >= 0.9 ? decoded : undefined;
}

// ---------- repetition ----------

/**
 * Allocation-light prefilter: counts words by a 32-bit hash (no substrings) and says whether some
 * word may cover more than `share` of them. Hash collisions can only over-count, so a false here is
 * exact; a true is confirmed by the string-keyed count.
 */
function mayHaveDominantWord(words: string, minWords: number, share: number): boolean {
  const counts = new Map<number, number>();
  let total = 0;
  let top = 0;
  let h = 0x811c9dc5;
  for (let i = 0; i <= words.length; i++) {
    const c = i < words.length ? words.charCodeAt(i) : 0x20;
    if (c === 0x20) {
      total++;
      const n = (counts.get(h) ?? 0) + 1;
      counts.set(h, n);
      if (n > top) top = n;
      h = 0x811c9dc5;
    } else h = Math.imul(h ^ c, 0x01000193);
  }
  return total >= minWords && top / total > share;
}

/** One character (not a space) repeated 200+ times in a row. */
const CHAR_RUN = /([^\s])\1{199,}/;

/**
 * Cheap necessary condition for CHAR_RUN: a run of 200 contains a whole aligned block of 100, so
 * unless some block [k·100, k·100+100) is one repeated character, the regex cannot match.
 */
function hasUniformBlock(text: string): boolean {
  for (let start = 0; start + 100 <= text.length; start += 100) {
    const first = text.charCodeAt(start);
    let uniform = true;
    for (let i = start + 1; i < start + 100; i++) {
      if (text.charCodeAt(i) !== first) {
        uniform = false;
        break;
      }
    }
    if (uniform) return true;
  }
  return false;
}

/**
 * The phrase (1–3 words) that covers more than `maxShare` of the words, if any. Unigram counts are
 * taken first; a phrase of n words covering > maxShare needs each of its words to cover > maxShare/n,
 * so longer phrases are only counted when some word is that frequent (rare in normal text).
 */
function dominantPhrase(words: string, minWords: number, maxShare: number): string | undefined {
  if (!mayHaveDominantWord(words, minWords, maxShare / 3)) return undefined;
  const tokens = words.length === 0 ? [] : words.split(' ');
  const total = tokens.length;
  if (total < minWords) return undefined;
  const counts = new Map<string, number>();
  let topCount = 0;
  let topWord = '';
  for (const t of tokens) {
    const c = (counts.get(t) ?? 0) + 1;
    counts.set(t, c);
    if (c > topCount) {
      topCount = c;
      topWord = t;
    }
  }
  if (topCount / total > maxShare) return `"${topWord}" ${topCount}/${total} words`;
  if (topCount / total <= maxShare / 3) return undefined;
  for (let n = 2; n <= 3; n++) {
    const grams = new Map<string, number>();
    for (let i = 0; i + n <= total; i++) {
      const g = tokens.slice(i, i + n).join(' ');
      const c = (grams.get(g) ?? 0) + 1;
      grams.set(g, c);
      if ((c * n) / total > maxShare) return `"${g}" ×${c} (${n}-word phrase)`;
    }
  }
  return undefined;
}
