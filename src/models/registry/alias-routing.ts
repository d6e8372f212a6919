/**
 * conduit.yaml's request-aware routing settings of a routed alias (`strategy: cost | complexity`,
 * `data_sensitivity`, and per deployment `quality`, `tier`, `on_premises`) → the router's options.
 */
import { ConduitError } from '../../core/errors.js';
import type { AliasConfig, AliasObjectConfig, DeploymentConfig } from '../../config/schema.js';
import type { LanguageModel } from '../language-model.js';
import type { PriceTable } from '../pricing/index.js';
import { complexityClassifier, complexityRouting, type ComplexityRoutingOptions } from '../../reliability/routing/complexity-policy.js';
import { costAwareRouting, type CostRoutingOptions } from '../../reliability/routing/cost-policy.js';
import type { DataSensitivityOptions } from '../../reliability/routing/data-sensitivity.js';
import type { DeploymentProfile, RoutingPolicy } from '../../reliability/routing/route-decision.js';
import { isRequestAwareStrategy } from '../../reliability/routing/alias-strategies.js';
import type { RoutingStrategy } from '../../reliability/strategies.js';
import { parseModelName } from './model-name.js';

export function deploymentProfile(d: DeploymentConfig): DeploymentProfile {
  const profile: DeploymentProfile = { onPremises: d.on_premises === true };
  if (d.quality !== undefined) profile.quality = d.quality;
  if (d.tier !== undefined) profile.tier = d.tier;
  return profile;
}

/** The strategy the router picks with: a request-aware alias picks by weight within its policy's groups. */
export function baseStrategy(alias: AliasObjectConfig): RoutingStrategy {
  return isRequestAwareStrategy(alias.strategy) ? 'weighted' : alias.strategy;
}

export interface AliasPolicyContext {
  priceTable: PriceTable;
  /** Resolves the complexity classifier's model name (alias or provider/model). */
  resolve: (name: string) => LanguageModel;
}

export function aliasRoutingPolicy(alias: AliasObjectConfig, context: AliasPolicyContext): RoutingPolicy | undefined {
  switch (alias.strategy) {
    case 'cost': {
      const c = alias.cost;
      const options: CostRoutingOptions = { priceTable: context.priceTable };
      if (c) {
        options.minQuality = c.min_quality;
        options.expectedOutputTokens = c.expected_output_tokens;
        if (c.max_cost_usd !== undefined) options.maxCostUsd = c.max_cost_usd;
        options.onNoMatch = c.on_no_match === 'refuse' || c.on_no_match === 'cheapest' ? c.on_no_match : { deployment: c.on_no_match };
      }
      return costAwareRouting(options);
    }
    case 'complexity': {
      const c = alias.complexity;
      const options: ComplexityRoutingOptions = {};
      if (c) {
        options.tiers = c.tiers;
        options.minClassifierConfidence = c.min_classifier_confidence;
        options.rules = { simpleMaxChars: c.simple_max_chars, complexMinChars: c.complex_min_chars, complexMinTurns: c.complex_min_turns };
        if (c.keywords) options.keywords = c.keywords;
        if (c.classifier !== undefined) options.classifier = complexityClassifier(context.resolve(c.classifier));
      }
      return complexityRouting(options);
    }
    default:
      return undefined;
  }
}

export function aliasSensitivity(alias: AliasObjectConfig): DataSensitivityOptions | undefined {
  const s = alias.data_sensitivity;
  if (s === undefined || s === false) return undefined;
  if (s === true || s.entities === undefined) return {};
  return { entities: s.entities };
}

/**
 * Whether a fallback may receive requests with PII: an alias whose every deployment is
 * on_premises or that applies data_sensitivity itself (it then restricts or refuses on its own),
 * a string alias naming such a target, or an in-process model (llamacpp, offline). Any other
 * model name is a remote service this config does not mark as on-premises, so it is left out.
 */
export function isOnPremisesTarget(name: string, aliases: Readonly<Record<string, AliasConfig>>, seen: ReadonlySet<string> = new Set()): boolean {
  if (Object.hasOwn(aliases, name) && !seen.has(name)) {
    const alias = aliases[name]!;
    const next = new Set([...seen, name]);
    if (typeof alias === 'string') return alias === name ? isInProcess(alias) : isOnPremisesTarget(alias, aliases, next);
    return aliasSensitivity(alias) !== undefined || alias.deployments.every((d) => d.on_premises === true);
  }
  return isInProcess(name);
}

function isInProcess(name: string): boolean {
  const parsed = parseModelName(name);
  return parsed.form === 'qualified' && (parsed.provider === 'llamacpp' || parsed.provider === 'offline');
}

/** Router validation problems (a policy's TypeError) as the registry's config error. */
export function aliasConfigError(alias: string, error: unknown): ConduitError {
  const message = error instanceof Error ? error.message : String(error);
  return new ConduitError('invalid_request', `models.${alias}: ${message}`, { code: 'invalid_alias', param: 'model', model: alias, cause: error });
}
