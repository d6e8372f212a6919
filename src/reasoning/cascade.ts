/**
 * The input cascade for support-style traffic (the guides' "banking bot": cheap tiers first, the
 * expensive model only when needed, validation gates and a human as the fail-safe):
 *
 *   rules       regex → canned answer; zero cost, no model call. Patterns match anywhere in the
 *               query (RegExp.test); anchor them with ^ to match only at the start.
 *   classifier  a cheap model or a function: intent + confidence. Below `minClassifierConfidence`
 *               (default 0.5) the intent becomes `fallbackIntent` (default "OTHER"). An intent may be
 *               answered here (`intentAnswers`) or sent straight to a human (`handoffIntents`).
 *   context     retrieved facts for the intent, injected into the model tier's system prompt.
 *   model       the main model, told to use only the context and never invent policy.
 *   validation  a validator on the model's answer (default: non-empty and free of uncertainty
 *               markers — "I think", "probably", "maybe", "I'm not sure" — matched case-insensitively).
 *               A rejected answer is retried once with the reason as feedback (`maxModelAttempts`
 *               default 2, as in the guides); still rejected → handoff.
 *   handoff     `onHandoff` hook (queue a ticket, page someone); the user gets its returned message
 *               or the default "I'll connect you with a specialist."
 *
 * A failing classifier or context source degrades (fallback intent, no context); a failing model
 * hands off; a cancelled call is rethrown. `CascadeStats` counts every tier across calls.
 */
import { ConduitError } from '../core/errors.js';
import type { Message } from '../core/messages.js';
import type { CallOptions, LanguageModel, ModelRequest } from '../models/language-model.js';
import { CascadeStats, type CascadeTier } from './cascade-stats.js';
import { SpendMeter, type Spend } from './spend.js';

export interface CascadeRule {
  id?: string;
  pattern: RegExp;
  answer: string | ((match: RegExpExecArray, query: string) => string);
}

export interface Classification {
  intent: string;
  /** 0–1. */
  confidence: number;
  /** What classifying cost, when a model did it. */
  spend?: Spend;
}

export type Classifier = (query: string, callOptions?: CallOptions) => Classification | Promise<Classification>;

export type ContextSource = (request: { query: string; intent: string }) => string | readonly string[] | Promise<string | readonly string[]>;

export type ValidationVerdict = { ok: true } | { ok: false; reason: string };
export type OutputValidator = (answer: string, request: { query: string; intent: string; context: readonly string[] }) => ValidationVerdict | Promise<ValidationVerdict>;

export type HandoffReason = 'handoff_intent' | 'validation_failed' | 'model_error';

export interface HandoffRequest {
  query: string;
  reason: HandoffReason;
  intent?: string;
  /** The last rejected answer or the model error, for the human's context. */
  lastAnswer?: string;
  validationFailures: readonly string[];
  error?: unknown;
}

export interface CascadeConfig {
  rules?: readonly CascadeRule[];
  classifier?: Classifier;
  fallbackIntent?: string;
  minClassifierConfidence?: number;
  /** Canned answers per intent: the classifier tier answers, the model is not called. */
  intentAnswers?: Readonly<Record<string, string>>;
  /** Intents that go straight to a human (e.g. FRAUD). */
  handoffIntents?: readonly string[];
  context?: ContextSource;
  model: LanguageModel;
  /** System prompt role line for an intent (default "You are a customer support specialist."). */
  role?: (intent: string) => string;
  /** Extra request settings for the model tier (temperature, maxTokens…). */
  modelRequest?: Omit<ModelRequest, 'messages'>;
  validate?: OutputValidator;
  maxModelAttempts?: number;
  onHandoff?: (request: HandoffRequest) => string | void | Promise<string | void>;
  handoffMessage?: string;
  /** Clock for latencies (default performance.now). */
  now?: () => number;
}

export type AnsweringTier = 'rules' | 'classifier' | 'model' | 'handoff';

export interface CascadeResult extends Spend {
  answer: string;
  answeredBy: AnsweringTier;
  ruleId?: string;
  intent?: string;
  intentConfidence?: number;
  context: string[];
  /** Model-tier attempts made (0 when the model was not reached). */
  modelAttempts: number;
  validationFailures: string[];
  handoffReason?: HandoffReason;
  error?: unknown;
  /** The tiers this query passed through, in order. */
  path: CascadeTier[];
  tierLatencyMs: Partial<Record<CascadeTier, number>>;
  latencyMs: number;
}

export const DEFAULT_HANDOFF_MESSAGE = "I'll connect you with a specialist.";
export const UNCERTAINTY_MARKERS: readonly string[] = ['I think', 'probably', 'maybe', "I'm not sure"];

/** The default validator: a non-empty answer with no uncertainty markers (case-insensitive; ’ and ' alike). */
export const rejectUncertainAnswers: OutputValidator = (answer) => {
  if (answer.trim() === '') return { ok: false, reason: 'the answer is empty' };
  const text = answer.toLowerCase().replace(/’/g, "'");
  const marker = UNCERTAINTY_MARKERS.find((m) => new RegExp(`\\b${m.toLowerCase().replace(/'/g, "'")}\\b`).test(text));
  return marker === undefined ? { ok: true } : { ok: false, reason: `the answer contains the uncertainty marker "${marker}"` };
};

export class SupportCascade {
  readonly stats: CascadeStats;
  private readonly now: () => number;

  constructor(
    private readonly config: CascadeConfig,
    stats: CascadeStats = new CascadeStats(),
  ) {
    this.stats = stats;
    this.now = config.now ?? (() => performance.now());
  }

  async handle(query: string, callOptions?: CallOptions): Promise<CascadeResult> {
    const started = this.now();
    const total = new SpendMeter();
    const path: CascadeTier[] = [];
    const tierLatencyMs: Partial<Record<CascadeTier, number>> = {};
    this.stats.countQuery();
    const enter = (tier: CascadeTier, since: number): void => {
      const ms = this.now() - since;
      path.push(tier);
      tierLatencyMs[tier] = (tierLatencyMs[tier] ?? 0) + ms;
      this.stats.reached(tier, ms);
    };
    const charge = (tier: CascadeTier, spend: Spend): void => {
      total.add(spend);
      this.stats.spent(tier, spend);
    };
    const done = (answeredBy: AnsweringTier, answer: string, extra: Partial<CascadeResult> = {}): CascadeResult => {
      this.stats.answered(answeredBy);
      return {
        answer,
        answeredBy,
        context: [],
        modelAttempts: 0,
        validationFailures: [],
        ...extra,
        path,
        tierLatencyMs,
        latencyMs: this.now() - started,
        ...total.snapshot(),
      };
    };

    // Tier: rules.
    let t = this.now();
    for (const [index, rule] of (this.config.rules ?? []).entries()) {
      rule.pattern.lastIndex = 0; // a /g or /y pattern keeps state between calls
      const match = rule.pattern.exec(query);
      if (!match) continue;
      const answer = typeof rule.answer === 'string' ? rule.answer : rule.answer(match, query);
      enter('rules', t);
      return done('rules', answer, { ruleId: rule.id ?? `rule-${index}` });
    }
    if (this.config.rules && this.config.rules.length > 0) enter('rules', t);

    // Tier: classifier.
    const fallbackIntent = this.config.fallbackIntent ?? 'OTHER';
    let intent = fallbackIntent;
    let intentConfidence: number | undefined;
    if (this.config.classifier) {
      t = this.now();
      try {
        const classification = await this.config.classifier(query, callOptions);
        if (classification.spend) charge('classifier', classification.spend);
        intentConfidence = classification.confidence;
        intent = classification.confidence >= (this.config.minClassifierConfidence ?? 0.5) ? classification.intent : fallbackIntent;
      } catch (error) {
        if (isCancellation(error)) throw error;
        this.stats.failed('classifier');
      }
      enter('classifier', t);
      const intentFields = { intent, ...(intentConfidence !== undefined ? { intentConfidence } : {}) };
      const canned = this.config.intentAnswers?.[intent];
      if (canned !== undefined) return done('classifier', canned, intentFields);
      if (this.config.handoffIntents?.includes(intent)) {
        return this.handoff({ query, reason: 'handoff_intent', intent, validationFailures: [] }, enter, (answer, extra) => done('handoff', answer, { ...intentFields, ...extra }));
      }
    }
    const intentFields = { intent, ...(intentConfidence !== undefined ? { intentConfidence } : {}) };

    // Tier: context injection.
    let context: string[] = [];
    if (this.config.context) {
      t = this.now();
      try {
        const found = await this.config.context({ query, intent });
        context = (typeof found === 'string' ? [found] : [...found]).filter((c) => c.trim() !== '');
      } catch (error) {
        if (isCancellation(error)) throw error;
        this.stats.failed('context');
      }
      enter('context', t);
    }

    // Tiers: model + validation, with one retry on a rejected answer.
    const validate = this.config.validate ?? rejectUncertainAnswers;
    const maxAttempts = Math.max(1, this.config.maxModelAttempts ?? 2);
    const messages: Message[] = [
      { role: 'system', content: modelSystemPrompt((this.config.role ?? defaultRole)(intent), intent, context) },
      { role: 'user', content: query },
    ];
    const validationFailures: string[] = [];
    let lastAnswer: string | undefined;
    let attempts = 0;
    while (attempts < maxAttempts) {
      attempts++;
      t = this.now();
      let answer: string;
      try {
        const result = await this.config.model.generate({ ...this.config.modelRequest, messages: [...messages] }, callOptions);
        const spend = new SpendMeter();
        spend.record(result);
        charge('model', spend.snapshot());
        answer = result.text.trim();
      } catch (error) {
        if (isCancellation(error)) throw error;
        this.stats.failed('model');
        enter('model', t);
        return this.handoff(
          { query, reason: 'model_error', intent, validationFailures, error, ...(lastAnswer !== undefined ? { lastAnswer } : {}) },
          enter,
          (text, extra) => done('handoff', text, { ...intentFields, context, modelAttempts: attempts, validationFailures, error, ...extra }),
        );
      }
      enter('model', t);
      t = this.now();
      const verdict = await validate(answer, { query, intent, context });
      enter('validation', t);
      if (verdict.ok) return done('model', answer, { ...intentFields, context, modelAttempts: attempts, validationFailures });
      this.stats.failed('validation');
      validationFailures.push(verdict.reason);
      lastAnswer = answer;
      messages.push(
        { role: 'assistant', content: answer },
        { role: 'user', content: `Your previous answer was rejected: ${verdict.reason}. Answer again, following the rules and using only the context.` },
      );
    }
    return this.handoff(
      { query, reason: 'validation_failed', intent, validationFailures, ...(lastAnswer !== undefined ? { lastAnswer } : {}) },
      enter,
      (text, extra) => done('handoff', text, { ...intentFields, context, modelAttempts: attempts, validationFailures, ...extra }),
    );
  }

  private async handoff(
    request: HandoffRequest,
    enter: (tier: CascadeTier, since: number) => void,
    done: (answer: string, extra: Partial<CascadeResult>) => CascadeResult,
  ): Promise<CascadeResult> {
    const t = this.now();
    const message = (await this.config.onHandoff?.(request)) ?? this.config.handoffMessage ?? DEFAULT_HANDOFF_MESSAGE;
    enter('handoff', t);
    return done(message, { handoffReason: request.reason });
  }
}

function defaultRole(): string {
  return 'You are a customer support specialist.';
}

/** The guides' tier-3 prompt: role, three grounding constraints, the injected context. */
export function modelSystemPrompt(role: string, intent: string, context: readonly string[]): string {
  return [
    role,
    `Category: ${intent}`,
    'Rules:',
    '- Only reference the provided context.',
    `- If the context does not contain the answer, say "I don't have access to that."`,
    '- Never make up policy details.',
    'Context:',
    context.length === 0 ? '(none)' : context.map((c) => `- ${c}`).join('\n'),
  ].join('\n');
}

export interface ModelClassifierConfig {
  model: LanguageModel;
  intents: readonly string[];
  /** Intent used when the reply names none of `intents` (default "OTHER", confidence 0). */
  fallbackIntent?: string;
  modelRequest?: Omit<ModelRequest, 'messages'>;
}

/**
 * A classifier backed by a (small, cheap) model. It asks for `INTENT: <name>` and
 * `CONFIDENCE: <0-1>`; a reply naming no known intent gives the fallback intent at confidence 0;
 * a missing confidence line counts as 0.5.
 */
export function modelClassifier(config: ModelClassifierConfig): Classifier {
  const fallback = config.fallbackIntent ?? 'OTHER';
  return async (query, callOptions) => {
    const result = await config.model.generate(
      {
        temperature: 0,
        maxTokens: 20,
        ...config.modelRequest,
        messages: [
          {
            role: 'system',
            content: `Classify the customer message into exactly one of: ${config.intents.join(' | ')}.\nReply with two lines:\nINTENT: <one of the names>\nCONFIDENCE: <0 to 1>`,
          },
          { role: 'user', content: query },
        ],
      },
      callOptions,
    );
    const spend = new SpendMeter();
    spend.record(result);
    const text = result.text;
    const named = /intent\s*[:=]\s*["'*]*([A-Za-z_][\w-]*)/i.exec(text)?.[1] ?? text.trim().split(/\s+/)[0] ?? '';
    const intent = config.intents.find((i) => i.toLowerCase() === named.toLowerCase());
    const confidenceMatch = /confidence\s*[:=]\s*(\d+(?:\.\d+)?)(%?)/i.exec(text);
    let confidence = confidenceMatch?.[1] === undefined ? 0.5 : Number(confidenceMatch[1]) / (confidenceMatch[2] === '%' || Number(confidenceMatch[1]) > 1 ? 100 : 1);
    confidence = Math.min(1, Math.max(0, confidence));
    return intent === undefined ? { intent: fallback, confidence: 0, spend: spend.snapshot() } : { intent, confidence, spend: spend.snapshot() };
  };
}

function isCancellation(error: unknown): boolean {
  return error instanceof ConduitError && error.kind === 'cancelled';
}

