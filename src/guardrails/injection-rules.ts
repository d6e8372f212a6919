/**
 * The prompt-injection rule set. Patterns are written in plain lowercase English without digits and
 * compiled once through `skeletonPattern` into the detection alphabet (see normalise.ts), so each
 * rule automatically survives homoglyphs, fullwidth, leetspeak, zero-width splits and case tricks.
 *
 * Views: `words` (words separated by one space; phrase rules), `folded` (punctuation and line
 * breaks kept; structural rules such as role tags and line-start "system:"), `letters` (letters
 * only; long specific phrases split with "-", "_" or "." such as "ig-no-re").
 *
 * Weights are combined as a noisy-OR (score = 1 − Π(1 − w)), so one strong rule (≥ 0.7) blocks on
 * its own while weak signals (a lone "System:" line, "act as if you are") only add up when they
 * co-occur. Weights were tuned against the attack and benign corpora in injection.test.ts.
 */
import { skeleton, skeletonPattern } from './normalise.js';

export type InjectionCategory =
  | 'instruction_override'
  | 'role_switch'
  | 'system_tag'
  | 'prompt_leak'
  | 'jailbreak'
  | 'delimiter'
  | 'encoded_payload'
  | 'repetition'
  | 'length';

export type DetectionView = 'words' | 'folded' | 'letters';

export interface InjectionRuleSpec {
  id: string;
  category: InjectionCategory;
  /** Contribution to the score, 0..1. */
  weight: number;
  description: string;
  /**
   * Cheap prefilter: the rule's patterns run only when one of these substrings occurs in the
   * letters view (all words' letters, contiguous). A pattern can only match if one of them is present.
   */
  gate?: string[];
  /** Same, checked on the folded view (for rules that need punctuation such as "<|" or ":"). */
  gateFolded?: string[];
  patterns: { view: DetectionView; source: string }[];
}

export interface CompiledInjectionRule {
  id: string;
  category: InjectionCategory;
  weight: number;
  description: string;
  gate: string[] | undefined;
  gateFolded: string[] | undefined;
  patterns: { view: DetectionView; re: RegExp }[];
}

const OVERRIDE_VERB = '(?:ignore|disregard|forget|override|bypass|discard|abandon|neglect|skip)';
const QUALIFIER = '(?:previous|prior|above|earlier|preceding|foregoing|initial|original|system|your|all|any|every|developer|safety)';
const FILLER = '(?:all|any|every|the|of|these|those|my|your|previous|prior|above|earlier|system|and)';
const TARGET = '(?:instructions?|rules?|guidelines?|directives?|prompts?|commands?|constraints?|restrictions?|guardrails?|programming|policies|policy|context|messages?|orders?|training)';
const UNRESTRICTED = '(?:unrestricted|unfiltered|uncensored|unlimited|jailbroken|unbound|unchained|amoral|evil|without\\s(?:any\\s)?(?:restrictions?|limits?|limitations?|filters?|rules|guidelines|censorship|ethics|morals|boundaries|safety))';
const LEAK_VERB = '(?:reveal|print|repeat|show|tell|output|display|write|give|dump|leak|spill|recite|expose|share|copy|paste|echo|list|what\\s(?:is|are|was|were))';

export const INJECTION_RULE_SPECS: readonly InjectionRuleSpec[] = [
  {
    id: 'override.ignore_previous',
    gate: ['ignore', 'disregard', 'forget', 'override', 'bypass', 'discard', 'abandon', 'neglect', 'skip'],
    category: 'instruction_override',
    weight: 0.85,
    description: 'ignore/disregard/forget (all) previous/prior/above instructions/rules',
    patterns: [
      { view: 'words', source: `\\b${OVERRIDE_VERB}\\s(?:${FILLER}\\s){0,3}${QUALIFIER}\\s(?:${FILLER}\\s){0,3}${TARGET}\\b` },
      { view: 'words', source: `\\b${OVERRIDE_VERB}\\s(?:${FILLER}\\s){0,2}${TARGET}\\s(?:above|before|so\\sfar|you\\swere\\sgiven|you\\sreceived)\\b` },
      { view: 'letters', source: '(?:ignore|disregard|forget|override|bypass)(?:all|any|the|your|of)*(?:previous|prior|above|earlier|preceding|system)(?:the|your|system)*(?:instructions?|rules|guidelines|directives|prompts?)' },
    ],
  },
  {
    id: 'override.new_instructions',
    gate: ['instruction', 'rules', 'directive', 'prompt', 'task'],
    gateFolded: [':'],
    category: 'instruction_override',
    weight: 0.45,
    description: '"new instructions:" / "updated system prompt:"',
    patterns: [{ view: 'folded', source: '\\b(?:new|updated|revised|real|actual|true|secret|hidden)\\s+(?:system\\s+)?(?:instructions?|rules|directives|prompt|task)\\s*[*_`]*\\s*:' }],
  },
  {
    id: 'override.from_now_on',
    gate: ['fromnowon'],
    category: 'instruction_override',
    weight: 0.3,
    description: '"from now on you will/must…"',
    patterns: [{ view: 'words', source: '\\bfrom\\snow\\son\\s(?:you\\s(?:will|must|are|shall|should|have\\sto|can)|ignore|forget|respond\\swithout)\\b' }],
  },
  {
    id: 'override.you_are_now',
    gate: ['youarenow', 'yourenow'],
    category: 'instruction_override',
    weight: 0.45,
    description: '"you are now …" persona switch',
    patterns: [
      { view: 'words', source: `\\byou\\s(?:are|re)\\snow\\s(?:a|an|no\\slonger|free|going\\sto|${UNRESTRICTED}|dan|developer|admin|root|god|in\\s(?:dan|developer|god|jailbreak|unrestricted)\\smode)\\b` },
      { view: 'letters', source: 'youarenow(?:an?)?(?:unrestricted|unfiltered|uncensored|jailbroken|evil|dan|freefrom|nolonger)' },
    ],
  },
  {
    id: 'override.act_unrestricted',
    gate: ['unrestricted', 'unfiltered', 'uncensored', 'unlimited', 'jailbroken', 'unbound', 'unchained', 'amoral', 'evil', 'without', 'ethical', 'moral', 'safety', 'content'],
    category: 'jailbreak',
    weight: 0.8,
    description: 'act as / pretend to be … without restrictions',
    patterns: [
      { view: 'words', source: `\\b(?:act|behave|respond|answer|pretend|roleplay|role\\splay|you\\s(?:are|re)|become|simulate)\\s(?:\\w+\\s){0,8}?${UNRESTRICTED}\\b` },
      { view: 'letters', source: `(?:pretendtobe|pretendyouare|youarenow|actas|roleplayas|behaveas)[a-z]{0,30}?(?:without(?:any|all)?(?:restrictions?|limits|limitations|filters|rules|guidelines|censorship)|unrestricted|unfiltered|uncensored|jailbroken)` },
      { view: 'words', source: '\\b(?:no|without|ignore\\syour|bypass\\syour|free\\sfrom)\\s(?:ethical|moral|safety|content)\\s(?:guidelines|constraints|restrictions|filters|policies)\\b' },
    ],
  },
  {
    id: 'override.act_as',
    gate: ['actas', 'pretend'],
    category: 'instruction_override',
    weight: 0.2,
    description: 'act as if you are / pretend to be (weak on its own)',
    patterns: [{ view: 'words', source: '\\b(?:act\\sas\\s(?:if\\s)?you\\sare|pretend\\s(?:to\\sbe|you\\sare|that\\syou\\sare))\\b' }],
  },
  {
    id: 'jailbreak.named',
    gate: ['dan', 'doanything', 'evilconfidant', 'mode'],
    category: 'jailbreak',
    weight: 0.8,
    description: 'DAN / do anything now / developer or god mode / known jailbreak personas',
    patterns: [
      { view: 'words', source: '\\b(?:dan\\smode|do\\sanything\\snow|(?:act\\sas|you\\sare|you\\sre|pretend\\sto\\sbe|become)\\sdan|evil\\sconfidant|anti\\sdan|stan\\smode|dude\\smode|aim\\smode)\\b' },
      // "Developer mode" and "god mode" are also phone settings and game cheats: only the AI-persona phrasings count.
      { view: 'words', source: '\\b(?:with|in)\\s(?:developer|dan|jailbreak)\\smode\\s(?:enabled|activated|on)\\b|\\b(?:dan|jailbreak|unrestricted)\\smode\\s(?:enabled|activated|on|output)\\b' },
      { view: 'words', source: '\\b(?:enable|activate|enter|switch\\sto)\\s(?:dan|jailbreak|unrestricted)\\smode\\b|\\b(?:you\\sare|you\\sre|stay)\\s(?:now\\s)?in\\s(?:developer|god|dan|jailbreak|unrestricted)\\smode\\b' },
      { view: 'letters', source: 'doanythingnow' },
    ],
  },
  {
    id: 'jailbreak.keyword',
    gate: ['jailbr'],
    category: 'jailbreak',
    weight: 0.3,
    description: '"jailbreak" / "jailbroken" mentioned (weak on its own)',
    patterns: [{ view: 'words', source: '\\bjailbr(?:eak|eaking|oken)\\b' }],
  },
  {
    id: 'role.line_prefix',
    gate: ['system', 'assistant', 'developer'],
    gateFolded: [':'],
    category: 'role_switch',
    weight: 0.45,
    description: '"system:" / "assistant:" at the start of a line inside user content',
    patterns: [{ view: 'folded', source: '(?:^|\\n)[ \\t*_#>`|~-]*(?:system|assistant|developer)[ \\t*_`]*:' }],
  },
  {
    id: 'role.chat_template_token',
    gateFolded: ['<|', '[inst', '[/inst', '<<'],
    category: 'system_tag',
    weight: 0.9,
    description: 'chat-template control tokens: <|im_start|>, <|system|>, [INST], <<SYS>>, <|start_header_id|>',
    patterns: [
      { view: 'folded', source: '<\\|\\s*(?:im_start|im_end|system|assistant|user|endoftext|eot_id|start_header_id|end_header_id|begin_of_text)\\s*\\|>' },
      { view: 'folded', source: '\\[\\/?inst\\]|<<\\s*\\/?\\s*sys\\s*>>' },
    ],
  },
  {
    id: 'role.end_of_sequence',
    gateFolded: ['</s>'],
    category: 'system_tag',
    weight: 0.3,
    description: '"</s>" end-of-sequence token (also HTML strikethrough, so weak on its own)',
    patterns: [{ view: 'folded', source: '<\\/s>' }],
  },
  {
    id: 'role.system_tag',
    gate: ['system', 'sys', 'admin'],
    gateFolded: ['<'],
    category: 'system_tag',
    weight: 0.7,
    description: '<system>…</system> style tags, "role: system"',
    patterns: [
      { view: 'folded', source: '<\\s*\\/?\\s*(?:system|system_prompt|sys|systemprompt|admin)\\s*>' },
    ],
  },
  {
    id: 'role.role_field',
    gate: ['role'],
    gateFolded: [':'],
    category: 'role_switch',
    weight: 0.45,
    description: '"role: system" / "role": "system" written into user content',
    patterns: [{ view: 'folded', source: '\\brole\\s*["\']?\\s*:\\s*["\']?\\s*(?:system|developer)\\b' }],
  },
  {
    id: 'role.markdown_header',
    gateFolded: ['##'],
    category: 'role_switch',
    weight: 0.6,
    description: '"### System" / "## System prompt" header in user content',
    patterns: [{ view: 'folded', source: '(?:^|\\n)[ \\t]*#{2,}[ \\t]*(?:system|new\\s+instructions|system\\s+prompt)\\b' }],
  },
  {
    id: 'leak.system_prompt',
    gate: ['prompt', 'systemmessage', 'instruction', 'rules', 'above', 'beforethis'],
    category: 'prompt_leak',
    weight: 0.8,
    description: 'reveal/print/repeat your system prompt / initial instructions',
    patterns: [
      { view: 'words', source: `\\b${LEAK_VERB}\\s(?:\\w+\\s){0,4}?(?:system\\s(?:prompt|message|instructions?)|(?:initial|hidden|secret|original|confidential|internal)\\s(?:prompt|instructions|rules|system\\smessage)|(?:instructions|text|prompt|words|everything)\\s(?:above|before\\sthis)|your\\s(?:pre\\s?prompt|system\\sprompt))\\b` },
      { view: 'letters', source: '(?:reveal|print|repeat|show|tell|output|dump|leak|display|recite)(?:me)?(?:your|the|all)*(?:full|entire|complete|exact)?(?:system(?:prompt|message)|(?:initial|hidden|secret|original)(?:prompt|instructions))' },
    ],
  },
  {
    id: 'leak.your_instructions',
    gate: ['yourinstructions', 'yourprompt', 'yourrules', 'startingwithyouare'],
    category: 'prompt_leak',
    weight: 0.45,
    description: 'asks for "your instructions/prompt" verbatim',
    patterns: [{ view: 'words', source: `\\b${LEAK_VERB}\\s(?:\\w+\\s){0,3}?your\\s(?:instructions|prompt|rules)\\s(?:verbatim|word\\sfor\\sword|exactly|in\\sfull)\\b|\\bstarting\\swith\\syou\\sare\\b` }],
  },
  {
    id: 'delimiter.fake_boundary',
    gate: ['end', 'begin', 'start', 'close'],
    category: 'delimiter',
    weight: 0.45,
    description: 'fake end-of-prompt / begin-system boundaries ("--- END OF USER INPUT ---")',
    patterns: [
      { view: 'folded', source: '(?:[-=#*_<\\[{(]{2,}|\\*\\*)\\s*(?:end|begin|start)\\s*(?:of\\s*)?(?:the\\s*)?(?:system|prompt|instructions?|user\\s*input|input|context|conversation)\\b' },
      { view: 'words', source: '\\b(?:end|close)\\sof\\s(?:user\\sinput|system\\sprompt|the\\sprompt|instructions)\\b\\s(?:new|begin|start|system)\\b' },
    ],
  },
  {
    id: 'delimiter.escape',
    gate: ['escape', 'breakoutof', 'exit', 'leave'],
    category: 'delimiter',
    weight: 0.5,
    description: 'attempts to break out of the prompt, sandbox or role',
    patterns: [{ view: 'words', source: '\\b(?:escape|break\\sout\\sof|exit|leave)\\s(?:the\\s|this\\s|your\\s)?(?:sandbox|prompt|simulation|instructions|role|guardrails|restrictions)\\b' }],
  },
];

/** Compiles every rule once, at module load. */
export function compileRules(specs: readonly InjectionRuleSpec[]): CompiledInjectionRule[] {
  return specs.map((spec) => ({
    id: spec.id,
    category: spec.category,
    weight: spec.weight,
    description: spec.description,
    gate: spec.gate?.map((g) => skeleton(g)),
    gateFolded: spec.gateFolded?.map((g) => skeleton(g)),
    patterns: spec.patterns.map((p) => ({ view: p.view, re: new RegExp(skeletonPattern(p.source)) })),
  }));
}

export const INJECTION_RULES: readonly CompiledInjectionRule[] = compileRules(INJECTION_RULE_SPECS);

/** Ids of the rules computed in code rather than by pattern. */
export const COMPUTED_RULE_IDS = {
  encodedPayload: 'encoded.base64_instruction',
  repetition: 'repetition.dominant_phrase',
  charRun: 'repetition.char_run',
  lengthChars: 'length.max_chars',
  lengthTokens: 'length.max_tokens',
} as const;
