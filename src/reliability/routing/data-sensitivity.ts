/**
 * Data-sensitivity routing (guide 002 §10.2 `HybridLLMRouter`: sensitive requests go on-premises):
 * a request whose text contains PII — found by the guardrails' detector (email, phone, SSN,
 * Luhn-checked cards, IBAN, IPv4/IPv6), in every message, tool call and tool result — may only be
 * served by deployments marked `onPremises`. When none is configured or none is available, the
 * request is refused with policy_refusal: it never falls back to a cloud deployment.
 *
 * The router applies the restriction to its own deployments. An alias's fallback chain is a
 * separate model, so `createSensitivityGate` puts the choice in front of it: PII requests take a
 * chain of on-premises targets only, others the full chain. The gate passes what it found down in
 * the routing hints, so the router does not scan the request a second time.
 *
 * Run PII *anonymisation* (guardrails) before this layer and anonymised requests are, rightly, no
 * longer sensitive; run it after and they are routed on what the user actually sent.
 */
import { ConduitError } from '../../core/errors.js';
import { detectPii, PII_ENTITIES, type PiiEntity } from '../../guardrails/pii.js';
import { forEachRequestText } from '../../guardrails/request-text.js';
import type { CallOptions, GenerateResult, LanguageModel, ModelRequest, StreamPart } from '../../models/language-model.js';
import { routingHintsOf, withRoutingHints } from './route-decision.js';

export interface DataSensitivityOptions {
  /** The PII kinds that make a request sensitive (default: all the detector knows). */
  entities?: readonly PiiEntity[];
}

/** The distinct PII kinds in a request's text (all messages, tool arguments and results), in detector order. */
export function findRequestPii(request: ModelRequest, entities: readonly PiiEntity[] = PII_ENTITIES): PiiEntity[] {
  const found = new Set<PiiEntity>();
  const detectOptions = { entities };
  forEachRequestText(request, (text) => {
    if (text.length < 7) return; // shorter than the shortest entity (an IPv4 such as 1.1.1.1)
    for (const match of detectPii(text, detectOptions)) found.add(match.entity);
  });
  return PII_ENTITIES.filter((e) => found.has(e));
}

/** The PII kinds of a request: from the hints when an outer layer already looked, else by scanning it. */
export function requestPii(request: ModelRequest, options: CallOptions, sensitivity: DataSensitivityOptions): readonly string[] {
  return routingHintsOf(options)?.piiEntities ?? findRequestPii(request, sensitivity.entities);
}

export function onPremisesRefusal(alias: string, entities: readonly string[], reason: 'none-configured' | 'none-available' | 'none-for-route', route?: string): ConduitError {
  const why =
    reason === 'none-configured'
      ? `"${alias}" has no deployment marked on_premises`
      : reason === 'none-available'
        ? `every on-premises deployment of "${alias}" is unhealthy or has an open circuit`
        : `no on-premises deployment of "${alias}" serves this request's route (${route ?? 'unknown'})`;
  const code = reason === 'none-available' ? 'on_premises_unavailable' : 'pii_requires_on_premises';
  return new ConduitError(
    'policy_refusal',
    `The request contains personal data (${entities.join(', ')}), which may only be sent to on-premises deployments, and ${why}. It was not sent to any cloud deployment.`,
    { code, model: alias, retryable: false },
  );
}

export interface SensitivityGateOptions extends DataSensitivityOptions {
  name: string;
  /** Serves requests with PII: must reach only on-premises deployments (e.g. the router plus on-premises fallbacks). */
  sensitive: LanguageModel;
  /** Serves every other request (e.g. the router plus all fallbacks). */
  general: LanguageModel;
}

/** Sends requests with PII to `sensitive` and the rest to `general`, telling both what it found. */
export function createSensitivityGate(options: SensitivityGateOptions): LanguageModel {
  const route = (request: ModelRequest, callOptions: CallOptions): { model: LanguageModel; options: CallOptions } => {
    const entities = requestPii(request, callOptions, options);
    const model = entities.length > 0 ? options.sensitive : options.general;
    return { model, options: withRoutingHints(callOptions, { piiEntities: entities }) };
  };
  return {
    provider: options.general.provider,
    modelId: options.name,
    capabilities: options.general.capabilities,
    async generate(request: ModelRequest, callOptions: CallOptions = {}): Promise<GenerateResult> {
      const r = route(request, callOptions);
      return r.model.generate(request, r.options);
    },
    stream(request: ModelRequest, callOptions: CallOptions = {}): AsyncIterable<StreamPart> {
      const r = route(request, callOptions);
      return r.model.stream(request, r.options);
    },
  };
}
