/**
 * Content filter and output checks. RULE-BASED, NOT A CLASSIFIER: each category is a short list of
 * phrase patterns over the normalised text (normalise.ts, so obfuscation does not defeat them). It
 * catches explicit, common phrasings ("how to make a pipe bomb"); it does not understand context,
 * misses paraphrases, and can fire on fiction or on discussion of a topic. Treat a `block` as a
 * policy line, and plug in a real moderation model where recall matters.
 *
 * Output checks run on the model's response: blocked-category text, and a system-prompt leak check
 * (the response contains a long verbatim run of the system prompt's words). PII in output is checked
 * by the middleware with pii.ts.
 */
import { gateOpen } from './injection.js';
import { detectionViews, originalSpan, skeleton, skeletonPattern, type DetectionViews, type NormalisedText } from './normalise.js';

export type BuiltinContentCategory = 'self_harm' | 'violence' | 'sexual_minors' | 'hate' | 'weapons_illegal';
export const BUILTIN_CONTENT_CATEGORIES: readonly BuiltinContentCategory[] = ['self_harm', 'violence', 'sexual_minors', 'hate', 'weapons_illegal'];

export type ContentAction = 'block' | 'flag' | 'off';

/** Defaults: refuse the categories that are never acceptable; only flag those with legitimate discussion (support, news). */
export const DEFAULT_CONTENT_ACTIONS: Record<BuiltinContentCategory, ContentAction> = {
  self_harm: 'flag',
  violence: 'flag',
  sexual_minors: 'block',
  hate: 'block',
  weapons_illegal: 'block',
};

const GROUPS = '(?:jews|muslims|christians|hindus|sikhs|blacks|whites|asians|arabs|mexicans|immigrants|refugees|gays|lesbians|trans\\speople|women|men)';
const MINOR = '(?:child|children|kid|kids|minor|minors|underage|preteen|pre\\steen|toddler|toddlers|schoolgirl|schoolgirls|schoolboy|year\\sold|years\\sold)';
const SEXUAL = '(?:sex(?!\\s(?:education|ed|abuse|offenders?|trafficking))|sexual(?!\\s(?:abuse|education|health|exploitation|harassment|predators?|offenders?|development))|sexually(?!\\s(?:abused|exploited|transmitted))|nude|nudes|naked|porn|pornographic|erotic|lewd|nsfw)';

/** Builtin category patterns, over the words view (lowercase words separated by one space). */
const BUILTIN_PATTERNS: Record<BuiltinContentCategory, string[]> = {
  self_harm: [
    '\\b(?:kill|hurt|harm|cut|hang|poison)\\s(?:myself|my\\sself)\\b',
    '\\b(?:end|take)\\smy\\s(?:own\\s)?life\\b',
    '\\bsuicid(?:e|al)\\s(?:method|methods|note|plan|pact)\\b',
    '\\bhow\\s(?:to|do\\si|can\\si|should\\si)\\s(?:commit\\ssuicide|kill\\smyself|end\\smy\\slife|overdose\\son)\\b',
    '\\bi\\s(?:want|wanna)\\sto\\sdie\\b',
  ],
  violence: [
    '\\bhow\\s(?:to|do\\si|can\\si)\\s(?:kill|murder|poison|strangle|stab|torture)\\s(?:someone|somebody|a\\sperson|people|my\\s\\w+|him|her|them)\\b',
    '\\b(?:plan|planning|carry\\sout)\\s(?:a|an)\\s(?:mass\\sshooting|massacre|terror(?:ist)?\\sattack|school\\sshooting)\\b',
    '\\b(?:i\\swill|i\\sm\\sgoing\\sto|i\\sam\\sgoing\\sto|gonna)\\s(?:kill|murder|shoot|stab)\\s(?:you|him|her|them|everyone|my\\s\\w+)\\b',
  ],
  sexual_minors: [`\\b${MINOR}\\s(?:\\w+\\s){0,6}?${SEXUAL}\\b`, `\\b${SEXUAL}\\s(?:\\w+\\s){0,6}?${MINOR}\\b`],
  hate: [
    `\\b(?:all|those|these|the)\\s${GROUPS}\\s(?:should|must|deserve\\sto|need\\sto|ought\\sto)\\s(?:die|be\\skilled|be\\sexterminated|be\\swiped\\sout|be\\sgassed|burn)\\b`,
    `\\b(?:exterminate|eradicate|wipe\\sout|gas|kill)\\s(?:all\\s)?(?:the\\s)?${GROUPS}\\b`,
    `\\b${GROUPS}\\sare\\s(?:subhuman|vermin|animals|parasites|cockroaches|a\\sdisease)\\b`,
  ],
  weapons_illegal: [
    '\\bhow\\s(?:to|do\\si|can\\si|do\\syou)\\s(?:make|build|assemble|construct|create|synthesi[sz]e|cook|manufacture)\\s(?:a\\s|an\\s|some\\s|homemade\\s)*(?:pipe\\s)?(?:bomb|bombs|explosive|explosives|ied|molotov|nerve\\sagent|sarin|ricin|anthrax|napalm|meth|methamphetamine|fentanyl|ghost\\sgun|silencer)\\b',
    '\\b(?:synthesi[sz]e|cook|produce)\\s(?:meth|methamphetamine|fentanyl|sarin|vx|ricin|tatp|nitroglycerin)\\b',
    '\\b(?:untraceable|unregistered|unserialized)\\s(?:gun|guns|firearm|firearms|rifle|pistol)\\b',
    '\\b(?:buy|sell|order|get)\\s(?:stolen\\scredit\\scards|cocaine|heroin|fentanyl|meth)\\s(?:online|on\\sthe\\sdark\\sweb|without)\\b',
    '\\bconvert\\s(?:an?\\s|my\\s)?(?:ar|semi\\sauto\\w*)\\s(?:\\w+\\s)?(?:to|into)\\s(?:full\\sauto|fully\\sautomatic|automatic)\\b',
  ],
};

export interface CustomContentCategory {
  /** Words or phrases, matched as whole words after normalisation. */
  keywords?: string[];
  /** Regex sources over the words view: lowercase, words separated by one space, no digits. */
  patterns?: string[];
  action?: 'block' | 'flag';
}

export interface ContentFilterOptions {
  /** Action per builtin category (missing: the default); `off` disables one. */
  categories?: Partial<Record<BuiltinContentCategory, ContentAction>>;
  /** Extra categories defined by the deployer. */
  custom?: Record<string, CustomContentCategory>;
}

export interface ContentMatch {
  category: string;
  /** `content.<category>` */
  ruleId: string;
  action: 'block' | 'flag';
  excerpt: string;
}

export interface ContentResult {
  verdict: 'block' | 'flag' | 'allow';
  matches: ContentMatch[];
}

interface CompiledCategory {
  category: string;
  action: 'block' | 'flag';
  /** Prefilter on the letters view (see injection-rules.ts); undefined for custom categories. */
  gate: string[] | undefined;
  patterns: RegExp[];
}

/** Substrings one of which every pattern of the category needs (letters view, so spacing tricks do not evade them). */
const BUILTIN_GATES: Record<BuiltinContentCategory, string[]> = {
  self_harm: ['myself', 'mylife', 'suicid', 'todie'],
  violence: ['kill', 'murder', 'poison', 'strangle', 'stab', 'torture', 'shoot', 'massacre', 'terror'],
  sexual_minors: ['sex', 'nude', 'naked', 'porn', 'erotic', 'lewd', 'nsfw'],
  hate: ['jews', 'muslims', 'christians', 'hindus', 'sikhs', 'blacks', 'whites', 'asians', 'arabs', 'mexicans', 'immigrants', 'refugees', 'gays', 'lesbians', 'transpeople', 'women', 'men'],
  weapons_illegal: ['bomb', 'explosive', 'ied', 'molotov', 'nerveagent', 'sarin', 'ricin', 'anthrax', 'napalm', 'meth', 'fentanyl', 'ghostgun', 'silencer', 'vx', 'tatp', 'nitroglycerin', 'gun', 'firearm', 'rifle', 'pistol', 'stolencreditcards', 'cocaine', 'heroin', 'fullauto', 'automatic'],
};

export interface ContentFilter {
  check(text: string): ContentResult;
  /** Same, on views already computed (the middleware shares them with injection detection). */
  checkViews(views: DetectionViews): ContentResult;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A keyword becomes a whole-word pattern in the detection alphabet ("Pipe-Bomb" → \bpipe\sbomb\b). */
function keywordPattern(keyword: string): string {
  const words = detectionViews(keyword).words.text;
  return `\\b${words.split(' ').map(escapeRegex).join('\\s')}\\b`;
}

export function createContentFilter(options: ContentFilterOptions = {}): ContentFilter {
  const compiled: CompiledCategory[] = [];
  for (const category of BUILTIN_CONTENT_CATEGORIES) {
    const action = options.categories?.[category] ?? DEFAULT_CONTENT_ACTIONS[category];
    if (action === 'off') continue;
    compiled.push({ category, action, gate: BUILTIN_GATES[category].map((g) => skeleton(g)), patterns: BUILTIN_PATTERNS[category].map((p) => new RegExp(skeletonPattern(p))) });
  }
  for (const [category, def] of Object.entries(options.custom ?? {})) {
    const sources = [...(def.keywords ?? []).map(keywordPattern), ...(def.patterns ?? []).map(skeletonPattern)];
    if (sources.length > 0) compiled.push({ category, action: def.action ?? 'block', gate: undefined, patterns: sources.map((s) => new RegExp(s)) });
  }

  function checkViews(views: DetectionViews): ContentResult {
    const words = views.words;
    const matches: ContentMatch[] = [];
    for (const c of compiled) {
      if (!gateOpen(c.gate, views.letters.text)) continue;
      for (const re of c.patterns) {
        const m = re.exec(words.text);
        if (!m) continue;
        const span = words.originalSpan(m.index, m.index + m[0].length);
        matches.push({ category: c.category, ruleId: `content.${c.category}`, action: c.action, excerpt: views.folded.original.slice(span.start, span.end).slice(0, 120) });
        break;
      }
    }
    const verdict = matches.some((m) => m.action === 'block') ? 'block' : matches.length > 0 ? 'flag' : 'allow';
    return { verdict, matches };
  }

  return {
    checkViews,
    check: (text) => checkViews(detectionViews(text)),
  };
}

// ---------- system-prompt leak ----------

export interface SystemPromptLeakResult {
  leaked: boolean;
  /** The leaked run, from the output (original text), when leaked. */
  excerpt?: string;
}

/**
 * Detects a response that reproduces a long verbatim run of the system prompt: `minWords`
 * consecutive words (default 12), compared after normalisation (case, punctuation, spacing and
 * obfuscation do not hide a copy). Short system prompts (fewer words than that) cannot leak by this
 * measure. Build once per system prompt; `check` is O(output length).
 */
export function createSystemPromptLeakDetector(systemPrompt: string, minWords = 12): { check(output: string): SystemPromptLeakResult; readonly minWords: number } {
  const promptWords = splitWords(detectionViews(systemPrompt).words.text);
  const shingles = new Set<string>();
  for (let i = 0; i + minWords <= promptWords.length; i++) shingles.add(promptWords.slice(i, i + minWords).join(' '));
  return {
    minWords,
    check(output: string): SystemPromptLeakResult {
      if (shingles.size === 0) return { leaked: false };
      const view = detectionViews(output).words;
      const words = splitWords(view.text);
      for (let i = 0; i + minWords <= words.length; i++) {
        if (shingles.has(words.slice(i, i + minWords).join(' '))) {
          return { leaked: true, excerpt: excerptOfWords(view.mapped, i, minWords) };
        }
      }
      return { leaked: false };
    },
  };
}

function splitWords(text: string): string[] {
  return text.length === 0 ? [] : text.split(' ');
}

function excerptOfWords(view: NormalisedText, firstWord: number, count: number): string {
  // Locate the character range of words [firstWord, firstWord + count) in the words view.
  let word = 0;
  let start = 0;
  for (let i = 0; i < view.text.length && word < firstWord; i++) {
    if (view.text[i] === ' ') {
      word++;
      start = i + 1;
    }
  }
  let end = start;
  let seen = 0;
  for (; end < view.text.length; end++) {
    if (view.text[end] === ' ' && ++seen === count) break;
  }
  const span = originalSpan(view, start, end);
  const raw = view.original.slice(span.start, span.end);
  return raw.length > 120 ? `${raw.slice(0, 117)}...` : raw;
}
