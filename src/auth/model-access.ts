/**
 * Which models a key or token may call. Patterns are exact names or aliases, or globs where `*`
 * matches any run of characters (slashes included): `openai/*`, `gpt-4o*`, `*`. Matching is
 * case-sensitive: an allow-list can only ever refuse more, never less, than intended.
 */
import { ConduitError } from '../core/errors.js';
import type { KeyRecord } from './key-record.js';
import type { ModelGrant, Principal } from './principal.js';

const compiled = new Map<string, RegExp>();

function globToRegExp(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (re === undefined) {
    const body = pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    re = new RegExp(`^${body}$`);
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(pattern, re);
  }
  return re;
}

export function modelMatches(pattern: string, model: string): boolean {
  return pattern.includes('*') ? globToRegExp(pattern).test(model) : pattern === model;
}

/**
 * True when the grant covers any of `names`. Pass every name the request is known by (the alias
 * the caller asked for and the model it resolves to) so a key allowed `fast` may call the alias
 * and a key allowed `openai/*` may call an alias that resolves to an OpenAI model.
 */
export function isModelAllowed(grant: ModelGrant, names: string | readonly string[]): boolean {
  if (grant === 'all') return true;
  const list = typeof names === 'string' ? [names] : names;
  return grant.some((pattern) => list.some((name) => modelMatches(pattern, name)));
}

function grantOf(subject: KeyRecord | Principal): ModelGrant {
  if ('kind' in subject) return subject.allowedModels;
  return subject.allowedModels.length === 0 ? 'all' : subject.allowedModels;
}

/** Throws ConduitError('permission', 403) unless the key record or principal may call the model. */
export function authorizeModel(subject: KeyRecord | Principal, names: string | readonly string[]): void {
  if (isModelAllowed(grantOf(subject), names)) return;
  const model = typeof names === 'string' ? names : (names[0] ?? '');
  throw new ConduitError('permission', `This API key is not allowed to use the model '${model}'`, {
    code: 'model_not_allowed',
    model,
  });
}
