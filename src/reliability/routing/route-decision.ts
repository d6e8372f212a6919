/**
 * The seam between a router and a request-aware routing policy (cost-aware, complexity-based).
 * Per request the router shows the policy every deployment it may use (already narrowed by data
 * sensitivity) with its profile and whether it is available now (healthy, circuit not open); the
 * policy answers with groups of deployment ids in order of preference and the reason. The router
 * tries the first group with its base strategy, fails over within it, then to the next group.
 */
import type { CallOptions, LanguageModel, ModelRequest } from '../../models/language-model.js';

/** What a routing policy may know about a deployment beyond its load. */
export interface DeploymentProfile {
  /**
   * Expected quality, 0–1: one number, or per task type (`{ default: 0.8, code: 0.6 }`). A task
   * type with no entry uses `default`; without `default` the deployment does not qualify for it.
   */
  quality?: number | Readonly<Record<string, number>>;
  /** Complexity tier this deployment serves (e.g. `small`, `large`). */
  tier?: string;
  /** Runs on infrastructure the operator controls: the only place a request with PII may go. */
  onPremises?: boolean;
}

/** A deployment as a policy sees it. */
export interface RouteCandidate extends DeploymentProfile {
  id: string;
  /** Position in the alias's configuration. */
  index: number;
  model: LanguageModel;
  /** Healthy and its circuit lets a call through now. */
  available: boolean;
}

/** Per-request routing settings; the gateway fills them from `x-conduit-*` headers (routing-headers.ts). */
export interface RoutingHints {
  /** Cost-aware routing: the least expected quality (0–1) acceptable for this request. */
  minQuality?: number;
  /** Cost-aware routing: the most this request may cost, in USD (estimated before the call). */
  maxCostUsd?: number;
  /** Task type for per-task quality scores (`code`, `reasoning`…); default: detected from the request. */
  taskType?: string;
  /**
   * Set by an outer layer that already scanned the request for PII (the sensitivity gate), so the
   * router does not scan it again: the entities found (empty: none).
   */
  piiEntities?: readonly string[];
  /** Told which deployments were chosen and why, before the first attempt (→ `x-conduit-route-reason`). */
  onRoute?: (decision: RouteDecision) => void;
}

/**
 * CallOptions carrying routing hints. Every reliability layer passes options on by spreading them,
 * so the field reaches the router through retry, fallback and cost middleware unchanged.
 */
export interface RoutingCallOptions extends CallOptions {
  routing?: RoutingHints;
}

export function routingHintsOf(options: CallOptions): RoutingHints | undefined {
  return (options as RoutingCallOptions).routing;
}

/** Returns options whose routing hints are `hints` merged over the current ones. */
export function withRoutingHints(options: CallOptions, hints: RoutingHints): RoutingCallOptions {
  return { ...options, routing: { ...routingHintsOf(options), ...hints } };
}

export interface RouteContext {
  /** The alias being routed. */
  alias: string;
  request: ModelRequest;
  options: CallOptions;
  hints: RoutingHints;
  /** The deployments this request may use, in configuration order. */
  candidates: readonly RouteCandidate[];
}

export interface RouteDecision {
  alias: string;
  /** The policy that decided (`cost`, `complexity`, `data-sensitivity`, or a base strategy name). */
  policy: string;
  /**
   * Machine-readable reason: `cost:cheapest-qualifying`, `complexity:rule:code`,
   * `complexity:classifier`, `pii:on-premises`… (several joined by `; ` when layers stack).
   */
  reason: string;
  /** Deployment ids, best group first; within a group the router's base strategy picks. */
  groups: readonly (readonly string[])[];
  /** Policy-specific figures (estimated costs, complexity label, PII entities…), for logs. */
  detail?: Readonly<Record<string, unknown>>;
}

export interface RoutingPolicy {
  readonly name: string;
  /** Throws a ConduitError to refuse the request (nothing qualifies); never returns an empty route. */
  decide(context: RouteContext): RouteDecision | Promise<RouteDecision>;
  /** Checks the alias's deployments at build time (e.g. every one has a quality score); throws TypeError. */
  validate?(alias: string, deployments: readonly (DeploymentProfile & { id: string; model: LanguageModel })[]): void;
}

/** Quality of a profile for a task type; undefined when the profile has none for it. */
export function qualityFor(profile: DeploymentProfile, taskType: string | undefined): number | undefined {
  const q = profile.quality;
  if (q === undefined || typeof q === 'number') return q;
  if (taskType !== undefined && Object.hasOwn(q, taskType)) return q[taskType];
  return Object.hasOwn(q, 'default') ? q.default : undefined;
}
