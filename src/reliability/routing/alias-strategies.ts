/**
 * The `strategy:` of a routed alias in conduit.yaml: a base strategy (the router picks among all
 * deployments), or a request-aware one (`cost`, `complexity`) whose groups the base strategy
 * `weighted` picks within.
 */
import { ROUTING_STRATEGIES, type RoutingStrategy } from '../strategies.js';

export type RequestAwareStrategy = 'cost' | 'complexity';
export type AliasStrategy = RoutingStrategy | RequestAwareStrategy;

export const REQUEST_AWARE_STRATEGIES: readonly RequestAwareStrategy[] = ['cost', 'complexity'];
export const ALIAS_STRATEGIES: readonly AliasStrategy[] = [...ROUTING_STRATEGIES, ...REQUEST_AWARE_STRATEGIES];

export function isRequestAwareStrategy(strategy: AliasStrategy): strategy is RequestAwareStrategy {
  return (REQUEST_AWARE_STRATEGIES as readonly string[]).includes(strategy);
}
