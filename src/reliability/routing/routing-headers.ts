/**
 * The HTTP face of request-aware routing, for the gateway: the request headers that become
 * `RoutingHints`, and the response header that says how a request was routed.
 *
 *   x-conduit-min-quality   0–1: least expected quality (cost-aware aliases)
 *   x-conduit-max-cost-usd  USD ≥ 0: the most this request may cost, estimated before the call
 *   x-conduit-task-type     task type for per-task quality scores (`code`, `reasoning`, …)
 *   x-conduit-route-reason  (response) the decision's reason, e.g. `complexity:rule:code`
 */
import { ConduitError } from '../../core/errors.js';
import type { RouteDecision, RoutingHints } from './route-decision.js';

export const MIN_QUALITY_HEADER = 'x-conduit-min-quality';
export const MAX_COST_HEADER = 'x-conduit-max-cost-usd';
export const TASK_TYPE_HEADER = 'x-conduit-task-type';
export const ROUTE_REASON_HEADER = 'x-conduit-route-reason';

type HeaderValue = string | string[] | undefined;

function first(raw: HeaderValue): string | undefined {
  const v = Array.isArray(raw) ? raw[0] : raw;
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function invalid(header: string, expected: string, value: string): ConduitError {
  return new ConduitError('invalid_request', `Header ${header} must be ${expected}, got '${value.slice(0, 40)}'`, { param: header, code: 'invalid_routing_header' });
}

/**
 * Reads the routing headers (lower-case names, as node:http gives them). Absent headers leave the
 * hint unset; malformed ones are a 400 naming the header, so a typo never silently routes.
 */
export function parseRoutingHeaders(headers: Readonly<Record<string, HeaderValue>>): RoutingHints {
  const hints: RoutingHints = {};
  const minQuality = first(headers[MIN_QUALITY_HEADER]);
  if (minQuality !== undefined) {
    const n = Number(minQuality);
    if (!Number.isFinite(n) || n < 0 || n > 1) throw invalid(MIN_QUALITY_HEADER, 'a number from 0 to 1', minQuality);
    hints.minQuality = n;
  }
  const maxCost = first(headers[MAX_COST_HEADER]);
  if (maxCost !== undefined) {
    const n = Number(maxCost);
    if (!Number.isFinite(n) || n < 0) throw invalid(MAX_COST_HEADER, 'a non-negative number of USD', maxCost);
    hints.maxCostUsd = n;
  }
  const taskType = first(headers[TASK_TYPE_HEADER]);
  if (taskType !== undefined) {
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(taskType)) throw invalid(TASK_TYPE_HEADER, 'a name of letters, digits, ".", "_" or "-"', taskType);
    hints.taskType = taskType.toLowerCase();
  }
  return hints;
}

/** The `x-conduit-route-reason` value: the reason plus the deployment that was ranked first, header-safe. */
export function formatRouteReason(decision: RouteDecision): string {
  const chosen = decision.groups[0]?.[0];
  const text = chosen === undefined ? decision.reason : `${decision.reason}; first=${chosen}`;
  // Header values must be visible ASCII (and spaces); deployment ids come from config.
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 256);
}
