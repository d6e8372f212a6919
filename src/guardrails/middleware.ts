/**
 * Guardrails as model middleware: the same policy a gateway key carries, applied in code.
 *
 * Pre-call (generate and stream alike, before the wrapped model is called at all):
 *   1. injection detection on user and tool content (length, repetition, encoded payloads included);
 *   2. content filter on the same content;
 *   3. PII action (mask / redact / anonymise) on every text of the request.
 * A block throws ConduitError('policy_refusal') naming the rule, so a refused request never reaches
 * the model.
 *
 * Post-call: output checks on the model's raw response (system-prompt leak, content categories, PII
 * in output when `pii.scanOutput`), then anonymised placeholders are restored so the caller sees the
 * originals. In a stream the checks run as text arrives; a block ends the stream with the error, and
 * what was already delivered stays delivered (at most one check window, ~48 chars of it past the
 * offending text). Placeholder restoration buffers only a possible placeholder prefix.
 *
 * Every decision (allow, flag, block, mask, redact, anonymise, restore) is reported to
 * `hooks.onDecision` with the rule that decided, for the audit log. Decisions carry counts and
 * excerpts of rule matches, never PII values. A hook that throws fails the request.
 */
import { ConduitError } from '../core/errors.js';
import type { CallOptions, GenerateResult, LanguageModel, ModelRequest, StreamPart } from '../models/language-model.js';
import type { LanguageModelMiddleware } from '../models/wrap-language-model.js';
import { createContentFilter, createSystemPromptLeakDetector, type ContentFilter, type ContentResult } from './content.js';
import { createInjectionDetector, type InjectionResult } from './injection.js';
import { detectionViews } from './normalise.js';
import { applyPiiAction, PiiStreamScanner, type PiiVault, type PlaceholderRestorer } from './pii-actions.js';
import { protectRequest, restoreResult } from './pii-request.js';
import { detectPii, type PiiEntity } from './pii.js';
import { guardrailPolicySchema, type GuardrailPolicy, type GuardrailPolicyInput } from './policy.js';
import { requestTextByRole } from './request-text.js';

export type GuardrailCheck = 'injection' | 'content' | 'pii' | 'system_prompt_leak';
export type GuardrailAction = 'allow' | 'flag' | 'block' | 'mask' | 'redact' | 'anonymise' | 'restore';

export interface GuardrailDecision {
  stage: 'input' | 'output';
  check: GuardrailCheck;
  action: GuardrailAction;
  /** The rule that decided: the strongest rule that fired, or `<check>.none` when none did. */
  ruleId: string;
  /** Every rule that fired. */
  ruleIds: string[];
  /** Injection score (0..1). */
  score?: number;
  /** Rule matches with short excerpts (injection, content, system-prompt leak). Never used for PII. */
  matches?: { ruleId: string; category: string; excerpt: string }[];
  /** PII: matches acted on, per entity (values are never reported); restore: placeholders restored. */
  counts?: Partial<Record<PiiEntity | 'placeholders', number>>;
  requestId?: string;
  provider: string;
  model: string;
}

export interface GuardrailHooks {
  onDecision?(decision: GuardrailDecision): void;
}

/** Error codes on the ConduitError('policy_refusal') a block throws. */
export const GUARDRAIL_ERROR_CODES = {
  injection: 'prompt_injection_detected',
  content: 'content_blocked',
  outputContent: 'output_content_blocked',
  systemPromptLeak: 'system_prompt_leak',
} as const;

/** Output checks look at this much trailing text, every STREAM_CHECK_EVERY new characters. */
const STREAM_WINDOW = 800;
const STREAM_CHECK_EVERY = 48;

interface PreparedCall {
  request: ModelRequest;
  vault: PiiVault | undefined;
  systemPrompt: string;
}

export function guardrailsMiddleware(policyInput: GuardrailPolicyInput | GuardrailPolicy, hooks: GuardrailHooks = {}): LanguageModelMiddleware {
  const parsed = guardrailPolicySchema.safeParse(policyInput);
  if (!parsed.success) {
    throw new ConduitError('invalid_request', `Invalid guardrail policy: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`, { cause: parsed.error });
  }
  const policy = parsed.data;
  const inj = policy.injection;
  const detector = createInjectionDetector({
    flagThreshold: inj.flagThreshold,
    blockThreshold: inj.blockThreshold,
    maxInputChars: inj.maxInputChars,
    ...(inj.maxInputTokens !== undefined ? { maxInputTokens: inj.maxInputTokens } : {}),
    rules: inj.rules,
  });
  const contentFilter: ContentFilter | undefined = policy.content.enabled ? createContentFilter({ categories: policy.content.categories, custom: policy.content.custom }) : undefined;
  const piiOutputAction: 'mask' | 'redact' = policy.pii.action === 'mask' ? 'mask' : 'redact';
  const leakDetectors = new Map<string, ReturnType<typeof createSystemPromptLeakDetector>>();

  function leakDetectorFor(systemPrompt: string): ReturnType<typeof createSystemPromptLeakDetector> | undefined {
    if (!policy.content.enabled || !policy.content.systemPromptLeak.enabled || systemPrompt.length === 0) return undefined;
    let d = leakDetectors.get(systemPrompt);
    if (!d) {
      d = createSystemPromptLeakDetector(systemPrompt, policy.content.systemPromptLeak.minWords);
      // A small cache: most keys use one or a few system prompts.
      if (leakDetectors.size >= 32) leakDetectors.clear();
      leakDetectors.set(systemPrompt, d);
    }
    return d;
  }

  function emit(d: Omit<GuardrailDecision, 'provider' | 'model' | 'requestId'>, options: CallOptions, model: LanguageModel): void {
    if (!hooks.onDecision) return;
    const decision: GuardrailDecision = { ...d, provider: model.provider, model: model.modelId };
    if (options.requestId !== undefined) decision.requestId = options.requestId;
    hooks.onDecision(decision);
  }

  function strongest(matches: readonly { ruleId: string; weight?: number }[], fallback: string): string {
    let best: { ruleId: string; weight?: number } | undefined;
    for (const m of matches) if (!best || (m.weight ?? 0) > (best.weight ?? 0)) best = m;
    return best?.ruleId ?? fallback;
  }

  function prepare(request: ModelRequest, options: CallOptions, model: LanguageModel): PreparedCall {
    const scanned = requestTextByRole(request, inj.roles);
    const views = scanned.length > 0 && (inj.enabled || contentFilter) ? detectionViews(scanned) : undefined;

    if (inj.enabled) {
      const r: InjectionResult = detector.detect(scanned, views);
      const ruleId = strongest(r.matches, 'injection.none');
      const base = { stage: 'input' as const, check: 'injection' as const, ruleId, ruleIds: r.matches.map((m) => m.ruleId), score: r.score, matches: r.matches.map(({ ruleId: id, category, excerpt }) => ({ ruleId: id, category, excerpt })) };
      const action = inj.action === 'allow' ? 'allow' : inj.action === 'flag' ? (r.verdict === 'allow' ? 'allow' : 'flag') : r.verdict;
      emit({ ...base, action }, options, model);
      if (action === 'block') {
        throw new ConduitError('policy_refusal', `Request blocked by guardrail rule ${ruleId} (prompt injection, score ${r.score})`, { code: GUARDRAIL_ERROR_CODES.injection, provider: model.provider, model: model.modelId });
      }
    }

    if (contentFilter) {
      const r = views ? contentFilter.checkViews(views) : { verdict: 'allow' as const, matches: [] };
      reportContent(r, 'input', options, model);
    }

    let prepared = request;
    let vault: PiiVault | undefined;
    if (policy.pii.enabled) {
      const p = protectRequest(request, policy.pii.action, { entities: policy.pii.entities });
      prepared = p.request;
      vault = p.vault.size > 0 ? p.vault : undefined;
      const ruleIds = Object.keys(p.counts).map((e) => `pii.${e}`);
      emit({ stage: 'input', check: 'pii', action: p.total > 0 ? policy.pii.action : 'allow', ruleId: ruleIds[0] ?? 'pii.none', ruleIds, counts: p.counts }, options, model);
    }
    return { request: prepared, vault, systemPrompt: requestTextByRole(prepared, ['system']) };
  }

  function reportContent(r: ContentResult, stage: 'input' | 'output', options: CallOptions, model: LanguageModel): void {
    const blocking = r.matches.find((m) => m.action === 'block');
    const ruleId = blocking?.ruleId ?? r.matches[0]?.ruleId ?? 'content.none';
    emit({ stage, check: 'content', action: r.verdict, ruleId, ruleIds: r.matches.map((m) => m.ruleId), matches: r.matches.map((m) => ({ ruleId: m.ruleId, category: m.category, excerpt: m.excerpt })) }, options, model);
    if (r.verdict === 'block') {
      const what = stage === 'input' ? 'Request' : 'Response';
      throw new ConduitError('policy_refusal', `${what} blocked by guardrail rule ${ruleId} (content category ${blocking?.category ?? ''})`, {
        code: stage === 'input' ? GUARDRAIL_ERROR_CODES.content : GUARDRAIL_ERROR_CODES.outputContent,
        provider: model.provider,
        model: model.modelId,
      });
    }
  }

  function reportLeak(leak: { leaked: boolean; excerpt?: string }, options: CallOptions, model: LanguageModel): void {
    const ruleId = leak.leaked ? 'output.system_prompt_leak' : 'system_prompt_leak.none';
    emit({ stage: 'output', check: 'system_prompt_leak', action: leak.leaked ? 'block' : 'allow', ruleId, ruleIds: leak.leaked ? [ruleId] : [], matches: leak.leaked ? [{ ruleId, category: 'system_prompt_leak', excerpt: leak.excerpt ?? '' }] : [] }, options, model);
    if (leak.leaked) {
      throw new ConduitError('policy_refusal', `Response blocked by guardrail rule ${ruleId}: it repeats the system prompt`, { code: GUARDRAIL_ERROR_CODES.systemPromptLeak, provider: model.provider, model: model.modelId });
    }
  }

  function reportPiiOutput(counts: Partial<Record<PiiEntity, number>>, options: CallOptions, model: LanguageModel): void {
    const ruleIds = Object.keys(counts).map((e) => `pii.output.${e}`);
    emit({ stage: 'output', check: 'pii', action: ruleIds.length > 0 ? piiOutputAction : 'allow', ruleId: ruleIds[0] ?? 'pii.output.none', ruleIds, counts }, options, model);
  }

  function reportRestore(restored: number, options: CallOptions, model: LanguageModel): void {
    emit({ stage: 'output', check: 'pii', action: 'restore', ruleId: 'pii.restore', ruleIds: ['pii.restore'], counts: { placeholders: restored } }, options, model);
  }

  return {
    name: 'guardrails',

    async wrapGenerate({ doGenerate, request, options, model }): Promise<GenerateResult> {
      const call = prepare(request, options, model);
      const raw = await doGenerate(call.request, options);

      const leak = leakDetectorFor(call.systemPrompt);
      if (leak) reportLeak(leak.check(raw.text), options, model);
      if (contentFilter && policy.content.scanOutput) reportContent(contentFilter.check(raw.text), 'output', options, model);

      let result = raw;
      if (policy.pii.enabled && policy.pii.scanOutput) {
        const matches = detectPii(raw.text, { entities: policy.pii.entities });
        const counts: Partial<Record<PiiEntity, number>> = {};
        for (const m of matches) counts[m.entity] = (counts[m.entity] ?? 0) + 1;
        if (matches.length > 0) result = { ...result, text: applyPiiAction(raw.text, matches, piiOutputAction) };
        reportPiiOutput(counts, options, model);
      }
      if (call.vault) {
        const r = restoreResult(result, call.vault);
        result = r.result;
        reportRestore(r.restored, options, model);
      }
      return result;
    },

    async *wrapStream({ doStream, request, options, model }): AsyncIterable<StreamPart> {
      const call = prepare(request, options, model);
      const leak = leakDetectorFor(call.systemPrompt);
      const scanContent = contentFilter && policy.content.scanOutput ? contentFilter : undefined;
      const scanner = policy.pii.enabled && policy.pii.scanOutput ? new PiiStreamScanner(piiOutputAction, policy.pii.entities) : undefined;
      const vault = call.vault;
      const textRestorer = vault?.createRestorer();
      const reasoningRestorer = vault?.createRestorer();
      const toolRestorers = new Map<number, PlaceholderRestorer>();
      let raw = '';
      let checkedAt = 0;

      const checkOutput = (final: boolean): void => {
        if (!leak && !scanContent) return;
        if (!final && raw.length - checkedAt < STREAM_CHECK_EVERY) return;
        checkedAt = raw.length;
        const tail = raw.length > STREAM_WINDOW ? raw.slice(-STREAM_WINDOW) : raw;
        if (leak) {
          const r = leak.check(tail);
          if (r.leaked || final) reportLeak(r, options, model);
        }
        if (scanContent) {
          const r = scanContent.check(tail);
          if (r.verdict !== 'allow' || final) reportContent(r, 'output', options, model);
        }
      };
      const restore = (restorer: PlaceholderRestorer | undefined, text: string) => (restorer ? restorer.push(text) : text);

      for await (const part of doStream(call.request, options)) {
        if (part.type === 'text-delta') {
          raw += part.delta;
          checkOutput(false);
          const scanned = scanner ? scanner.push(part.delta) : part.delta;
          const out = restore(textRestorer, scanned);
          if (out.length > 0) yield { type: 'text-delta', delta: out };
          continue;
        }
        if (part.type === 'reasoning-delta' && reasoningRestorer) {
          const out = reasoningRestorer.push(part.delta);
          if (out.length > 0) yield { type: 'reasoning-delta', delta: out };
          continue;
        }
        if (part.type === 'tool-call-delta' && vault) {
          let r = toolRestorers.get(part.index);
          if (!r) toolRestorers.set(part.index, (r = vault.createRestorer()));
          const out = r.push(part.argumentsDelta);
          if (out.length > 0) yield { type: 'tool-call-delta', index: part.index, argumentsDelta: out };
          continue;
        }
        if (part.type === 'finish') {
          checkOutput(true);
          // Release everything held back, in pipeline order: PII scanner, then placeholder restorer.
          let tail = scanner ? scanner.flush() : '';
          tail = restore(textRestorer, tail) + (textRestorer ? textRestorer.flush() : '');
          if (tail.length > 0) yield { type: 'text-delta', delta: tail };
          const reasoningTail = reasoningRestorer?.flush() ?? '';
          if (reasoningTail.length > 0) yield { type: 'reasoning-delta', delta: reasoningTail };
          for (const [index, r] of toolRestorers) {
            const rest = r.flush();
            if (rest.length > 0) yield { type: 'tool-call-delta', index, argumentsDelta: rest };
          }
          if (scanner) reportPiiOutput(scanner.counts, options, model);
          if (vault) {
            const toolCalls = part.toolCalls.map((c) => ({ ...c, arguments: vault.restore(c.arguments) }));
            const restored = (textRestorer?.restored ?? 0) + (reasoningRestorer?.restored ?? 0) + [...toolRestorers.values()].reduce((n, r) => n + r.restored, 0);
            reportRestore(restored, options, model);
            yield { ...part, toolCalls };
            continue;
          }
        }
        yield part;
      }
    },
  };
}
