/** The rate-limit checks that apply to one request: its key, user, team, model and the global limit. */
import type { Principal } from '../../auth/index.js';
import type { LimitCheck } from '../../ratelimit/index.js';
import type { LimitPair, RateLimitSettings } from './policy-services.js';

/** The id per-key limits and budgets count against: the key id, or `jwt:<sub>`; none for the master key or open mode. */
export function callerKeyId(principal: Principal | undefined): string | undefined {
  if (principal === undefined) return undefined;
  if (principal.kind === 'key') return principal.keyId;
  if (principal.kind === 'jwt') return `jwt:${principal.subject}`;
  return undefined;
}

function push(out: LimitCheck[], scope: LimitCheck['scope'], id: string, pair: LimitPair | undefined, tokens: number, settings: RateLimitSettings): void {
  if (pair === undefined) return;
  if (pair.requestsPerMinute !== undefined) out.push({ scope, id, metric: 'requests', limit: pair.requestsPerMinute, failMode: settings.failMode });
  if (pair.tokensPerMinute !== undefined) out.push({ scope, id, metric: 'tokens', limit: pair.tokensPerMinute, cost: tokens, failMode: settings.failMode });
}

/** True when some configured limit counts tokens for this caller (only then is the prompt tokenised). */
export function needsTokenEstimate(settings: RateLimitSettings, principal: Principal | undefined, model: string): boolean {
  const keyLimits = principal?.kind === 'key' && principal.limits.tokensPerMinute !== undefined;
  return (
    keyLimits ||
    settings.perKey?.tokensPerMinute !== undefined ||
    settings.perUser?.tokensPerMinute !== undefined ||
    settings.perTeam?.tokensPerMinute !== undefined ||
    settings.global?.tokensPerMinute !== undefined ||
    (Object.hasOwn(settings.models, model) && settings.models[model]!.tokensPerMinute !== undefined)
  );
}

export function limitChecksFor(settings: RateLimitSettings, principal: Principal | undefined, model: string, tokens: number): LimitCheck[] {
  const out: LimitCheck[] = [];
  const keyId = callerKeyId(principal);
  if (keyId !== undefined) {
    // A key's own limits win, metric by metric, over the configured default.
    const own = principal?.kind === 'key' ? principal.limits : undefined;
    const pair: LimitPair = {
      requestsPerMinute: own?.requestsPerMinute ?? settings.perKey?.requestsPerMinute,
      tokensPerMinute: own?.tokensPerMinute ?? settings.perKey?.tokensPerMinute,
    };
    push(out, 'key', keyId, pair, tokens, settings);
  }
  if (principal?.userId !== undefined) push(out, 'user', principal.userId, settings.perUser, tokens, settings);
  if (principal?.team !== undefined) push(out, 'team', principal.team, settings.perTeam, tokens, settings);
  if (Object.hasOwn(settings.models, model)) push(out, 'model', model, settings.models[model], tokens, settings);
  push(out, 'global', '*', settings.global, tokens, settings);
  return out;
}
