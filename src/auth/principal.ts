/**
 * Who is calling, whatever proved it. Rate limits, budgets, guardrails and audit read a Principal,
 * so they work the same for a virtual key, a JWT from the caller's identity provider, or the
 * master key on the admin API.
 */
import type { JsonValue, KeyBudget, KeyLimits, KeyRecord } from './key-record.js';

/** The models a principal may call: every model, or those matching one of the patterns (see model-access.ts). */
export type ModelGrant = 'all' | readonly string[];

interface PrincipalBase {
  /** The end user to attribute usage to (key owner, JWT subject). */
  userId?: string;
  team?: string;
  allowedModels: ModelGrant;
  /** May use the admin API. */
  admin: boolean;
}

export interface KeyPrincipal extends PrincipalBase {
  kind: 'key';
  keyId: string;
  keyName: string;
  limits: KeyLimits;
  budgets: KeyBudget[];
  guardrails: JsonValue | null;
  metadata: Record<string, JsonValue>;
}

export interface JwtPrincipal extends PrincipalBase {
  kind: 'jwt';
  /** The `sub` claim. */
  subject: string;
  issuer?: string;
  scopes: string[];
}

/** The operator holding CONDUIT_MASTER_KEY. */
export interface MasterPrincipal extends PrincipalBase {
  kind: 'master';
}

export type Principal = KeyPrincipal | JwtPrincipal | MasterPrincipal;

/** The principal a verified key record yields. Virtual keys never carry admin rights. */
export function principalFromKey(record: KeyRecord): KeyPrincipal {
  return {
    kind: 'key',
    keyId: record.id,
    keyName: record.name,
    ...(record.ownerUserId !== null ? { userId: record.ownerUserId } : {}),
    ...(record.team !== null ? { team: record.team } : {}),
    allowedModels: record.allowedModels.length === 0 ? 'all' : [...record.allowedModels],
    admin: false,
    limits: record.limits,
    budgets: record.budgets,
    guardrails: record.guardrails,
    metadata: record.metadata,
  };
}

export const MASTER_PRINCIPAL: MasterPrincipal = Object.freeze({ kind: 'master', allowedModels: 'all', admin: true });

/** A stable label for logs, audit `actor` and per-caller counters: `key:<id>`, `jwt:<sub>`, `master`. */
export function principalLabel(principal: Principal): string {
  switch (principal.kind) {
    case 'key':
      return `key:${principal.keyId}`;
    case 'jwt':
      return `jwt:${principal.subject}`;
    case 'master':
      return 'master';
  }
}
