/**
 * Cost-aware routing (guides 003/004 §3.3 "Cost-Aware Query Routing", `quality_threshold=0.8`):
 * among the deployments whose expected quality for the request's task type meets the threshold and
 * whose estimated cost fits the request's budget, the cheapest serves; the next cheapest is the
 * failover. Ties in cost go to the higher quality, then to configuration order.
 *
 * Deviation from the guide, on purpose: the guide ranks by quality per dollar, which can pick a
 * pricier model than needed; the issue asks for the cheapest one that is good enough. And its
 * "nothing qualifies → cheapest model" fallback is opt-in here (`onNoMatch: 'cheapest'`), and even
 * then never exceeds the caller's budget: a budget is a hard cap, a quality bar is a preference.
 *
 * Deployments with no known price are never chosen (their cost cannot be compared or bounded);
 * add them to `prices:` in conduit.yaml. Unavailable deployments (unhealthy, circuit open) are
 * skipped; when some would qualify but none is available, the error is 503, not a refusal.
 */
import { ConduitError } from '../../core/errors.js';
import type { PriceTable } from '../../models/pricing/price-table.js';
import { requestCostEstimator, DEFAULT_EXPECTED_OUTPUT_TOKENS } from './cost-estimate.js';
import { detectTaskType, requestSignals } from './request-signals.js';
import { qualityFor, type RouteCandidate, type RouteContext, type RouteDecision, type RoutingPolicy } from './route-decision.js';

export interface CostRoutingOptions {
  priceTable: PriceTable;
  /** Default quality threshold, 0–1 (default 0.8, the guide's); a request may set its own. */
  minQuality?: number;
  /** Default per-request budget in USD (default none); a request may set its own. */
  maxCostUsd?: number;
  /** Output tokens assumed when the request sets no maxTokens (default 500). */
  expectedOutputTokens?: number;
  /**
   * When no deployment qualifies: `refuse` (default; policy_refusal naming threshold and budget),
   * `cheapest` (the cheapest within budget, quality relaxed), or a deployment id to use instead
   * (also only within budget).
   */
  onNoMatch?: 'refuse' | 'cheapest' | { deployment: string };
}

interface Scored {
  candidate: RouteCandidate;
  quality: number | undefined;
  costUsd: number | undefined;
}

export const DEFAULT_MIN_QUALITY = 0.8;

export function costAwareRouting(options: CostRoutingOptions): RoutingPolicy {
  const onNoMatch = options.onNoMatch ?? 'refuse';
  const defaultMinQuality = options.minQuality ?? DEFAULT_MIN_QUALITY;
  checkFraction(defaultMinQuality, 'minQuality');
  if (options.maxCostUsd !== undefined) checkBudget(options.maxCostUsd, 'maxCostUsd');

  return {
    name: 'cost',
    validate(alias, deployments) {
      for (const d of deployments) {
        if (d.quality === undefined) throw new TypeError(`cost-aware routing for "${alias}": deployment "${d.id}" needs a quality score (0–1)`);
        const scores = typeof d.quality === 'number' ? [d.quality] : Object.values(d.quality);
        for (const q of scores) if (!(q >= 0 && q <= 1)) throw new TypeError(`cost-aware routing for "${alias}": deployment "${d.id}" quality must be within 0–1, got ${q}`);
      }
      if (typeof onNoMatch === 'object' && !deployments.some((d) => d.id === onNoMatch.deployment)) {
        throw new TypeError(`cost-aware routing for "${alias}": on_no_match names no deployment of the alias ("${onNoMatch.deployment}")`);
      }
    },
    decide(context: RouteContext): RouteDecision {
      const minQuality = context.hints.minQuality ?? defaultMinQuality;
      const budget = context.hints.maxCostUsd ?? options.maxCostUsd;
      const taskType = context.hints.taskType ?? detectTaskType(requestSignals(context.request));
      const estimator = requestCostEstimator(context.request, options.priceTable, options.expectedOutputTokens ?? DEFAULT_EXPECTED_OUTPUT_TOKENS);
      const scored: Scored[] = context.candidates.map((candidate) => ({
        candidate,
        quality: qualityFor(candidate, taskType),
        costUsd: estimator.estimate(candidate.model.provider, candidate.model.modelId).costUsd,
      }));
      const priced = scored.filter((s): s is Scored & { costUsd: number } => s.costUsd !== undefined);
      const withinBudget = priced.filter((s) => budget === undefined || s.costUsd <= budget);
      const qualifying = withinBudget.filter((s) => s.quality !== undefined && s.quality >= minQuality);
      const detail = {
        taskType,
        minQuality,
        ...(budget !== undefined ? { maxCostUsd: budget } : {}),
        estimates: Object.fromEntries(scored.map((s) => [s.candidate.id, { costUsd: s.costUsd ?? null, quality: s.quality ?? null, available: s.candidate.available }])),
      };
      const decision = (chosen: Scored[], reason: string): RouteDecision => {
        const available = chosen.filter((s) => s.candidate.available);
        if (available.length === 0) throw unavailableError(context.alias, chosen, minQuality, budget);
        return { alias: context.alias, policy: 'cost', reason, groups: byCost(available).map((s) => [s.candidate.id]), detail };
      };

      if (qualifying.length > 0) return decision(qualifying, 'cost:cheapest-qualifying');
      if (onNoMatch === 'cheapest' && withinBudget.length > 0) return decision(withinBudget, 'cost:no-match-cheapest');
      if (typeof onNoMatch === 'object') {
        const fallback = withinBudget.find((s) => s.candidate.id === onNoMatch.deployment);
        if (fallback) return decision([fallback], 'cost:no-match-fallback');
      }
      throw noMatchError(context.alias, scored, minQuality, budget, taskType);
    },
  };
}

function byCost(list: readonly Scored[]): Scored[] {
  return [...list].sort((a, b) => (a.costUsd ?? Infinity) - (b.costUsd ?? Infinity) || (b.quality ?? 0) - (a.quality ?? 0) || a.candidate.index - b.candidate.index);
}

function usd(n: number): string {
  return `$${n < 0.01 ? n.toPrecision(3) : n.toFixed(4)}`;
}

function noMatchError(alias: string, scored: readonly Scored[], minQuality: number, budget: number | undefined, taskType: string): ConduitError {
  const each = scored
    .map((s) => `${s.candidate.id} (quality ${s.quality ?? 'unset'}, est. ${s.costUsd === undefined ? 'unknown price' : usd(s.costUsd)})`)
    .join(', ');
  const budgetText = budget === undefined ? 'no budget' : `a budget of ${usd(budget)}`;
  return new ConduitError(
    'policy_refusal',
    `No deployment of "${alias}" meets quality ${minQuality} for ${taskType} tasks within ${budgetText}: ${each}. Lower x-conduit-min-quality or raise x-conduit-max-cost-usd.`,
    { code: 'no_qualifying_deployment', model: alias, retryable: false },
  );
}

function unavailableError(alias: string, chosen: readonly Scored[], minQuality: number, budget: number | undefined): ConduitError {
  const budgetText = budget === undefined ? '' : ` within ${usd(budget)}`;
  return new ConduitError(
    'provider_unavailable',
    `No available deployment of "${alias}" meets quality ${minQuality}${budgetText}: ${chosen.map((s) => s.candidate.id).join(', ')} ${chosen.length === 1 ? 'is' : 'are'} unhealthy or ha${chosen.length === 1 ? 's an' : 've'} open circuit${chosen.length === 1 ? '' : 's'}`,
    { code: 'no_available_deployment', model: alias, retryable: true },
  );
}

function checkFraction(value: number, name: string): void {
  if (!(Number.isFinite(value) && value >= 0 && value <= 1)) throw new TypeError(`costAwareRouting: ${name} must be within 0–1, got ${value}`);
}

function checkBudget(value: number, name: string): void {
  if (!(Number.isFinite(value) && value >= 0)) throw new TypeError(`costAwareRouting: ${name} must be a non-negative number of USD, got ${value}`);
}
