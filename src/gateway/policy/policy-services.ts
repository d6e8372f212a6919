/**
 * Everything the policy layer may use, already opened and configured. Each member is optional:
 * absent means that policy is off. Built from conduit.yaml by `openPolicies`, or by hand by a
 * library user who wants the same policies in code.
 */
import type { Logger } from 'pino';
import type { AuditBuffer, AuditLog } from '../../audit/index.js';
import type { JwtVerifier, KeyService } from '../../auth/index.js';
import type { BudgetAlertHandler, BudgetFailMode, BudgetRule, BudgetStore } from '../../budgets/index.js';
import type { CacheStatsCollector, CacheStore, SemanticCache } from '../../cache/index.js';
import type { GuardrailPolicy } from '../../guardrails/index.js';
import type { LedgerBuffer, UsageLedger } from '../../ledger/index.js';
import type { PriceTable } from '../../models/pricing/index.js';
import type { EmergencyStop, FailMode, RateLimiter, RunawayDetector } from '../../ratelimit/index.js';

export interface LimitPair {
  requestsPerMinute?: number;
  tokensPerMinute?: number;
}

export interface RateLimitSettings {
  failMode: FailMode;
  /** Default for keys without limits of their own, and for each JWT subject. */
  perKey?: LimitPair;
  perUser?: LimitPair;
  perTeam?: LimitPair;
  /** By requested model name. */
  models: Record<string, LimitPair>;
  global?: LimitPair;
}

export interface BudgetSettings {
  store: BudgetStore;
  /** Rules from the configuration; keys add their own (`KeyRecord.budgets`). */
  rules: BudgetRule[];
  ledger?: UsageLedger;
  onAlert?: BudgetAlertHandler;
  failMode?: BudgetFailMode;
}

export interface PolicyServices {
  /** Set: model routes require a credential and `/admin/*` is enabled. Unset: model routes are open. */
  masterKey?: string;
  keys?: KeyService;
  jwt?: JwtVerifier;
  emergencyStop?: EmergencyStop;
  runaway?: RunawayDetector;
  limiter?: RateLimiter;
  limits?: RateLimitSettings;
  budgets?: BudgetSettings;
  ledger?: UsageLedger;
  ledgerBuffer?: LedgerBuffer;
  audit?: AuditLog;
  auditBuffer?: AuditBuffer;
  /** Send a response only after its usage event and audit entry are committed (default true). */
  durableWrites?: boolean;
  exactCache?: { store: CacheStore; ttlMs: number };
  semanticCache?: SemanticCache;
  /** The global guardrails policy; a key's own policy replaces it. */
  guardrails?: GuardrailPolicy;
  priceTable: PriceTable;
  cacheStats: CacheStatsCollector;
  logger?: Logger;
}
