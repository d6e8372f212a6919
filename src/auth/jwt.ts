/**
 * Optional JWT authentication for callers who already have an identity provider. HS256 (a shared
 * secret) and RS256 (a PEM public key, a local JWKS object or file, or a JWKS URL fetched and
 * cached by jose). The token's `alg` header picks the key, and only the algorithms configured are
 * accepted, so an RS256 public key can never be used as an HS256 secret (algorithm confusion) and
 * `alg: none` never verifies.
 *
 * Scopes come from `scope` (space-separated, OAuth 2) or `scp` (array, Azure AD / Okta) and map to
 * model access and admin rights through the config. The result is a Principal, the same type a
 * virtual key yields.
 */
import { readFileSync } from 'node:fs';
import { createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { createLocalJWKSet, createRemoteJWKSet, errors as joseErrors, jwtVerify } from 'jose';
import type { JSONWebKeySet, JWTPayload, JWTVerifyGetKey } from 'jose';
import { ConduitError } from '../core/errors.js';
import type { JwtPrincipal, ModelGrant } from './principal.js';

export interface JwtVerifierConfig {
  /** Shared secret for HS256, at least 32 bytes (RFC 7518 §3.2). */
  hs256Secret?: string | Uint8Array;
  /** RS256 public key, PEM (SPKI `-----BEGIN PUBLIC KEY-----` or an X.509 certificate). */
  rs256PublicKey?: string;
  /** RS256 keys as a JWKS object (the key is chosen by the token's `kid`). */
  jwks?: JSONWebKeySet;
  /** RS256 keys from a JWKS JSON file, read once at start. */
  jwksFile?: string;
  /** RS256 keys from the identity provider's JWKS endpoint (fetched on demand and cached by jose). */
  jwksUrl?: string;
  /** Required: tokens must name this audience (`aud`), so a token minted for another service is refused. */
  audience: string | string[];
  /** Accepted issuers (`iss`); unchecked when absent. */
  issuer?: string | string[];
  /** Clock skew allowed on exp/nbf/iat, in seconds (default 5). */
  clockToleranceSec?: number;
  /** The claim naming the caller's team (default `team`). */
  teamClaim?: string;
  /** Scopes that grant the admin API (e.g. `conduit:admin`). None by default. */
  adminScopes?: string[];
  /** Scope → model patterns it grants, e.g. `{ 'models:cheap': ['openai/gpt-4o-mini', 'local/*'] }`. */
  modelScopes?: Record<string, string[]>;
  /** Scopes starting with this prefix grant the model pattern after it, e.g. `model:` makes `model:openai/*` grant `openai/*`. */
  modelScopePrefix?: string;
}

export interface JwtVerifier {
  /** The principal of a valid token; throws ConduitError('authentication', 401) otherwise. */
  verify(token: string): Promise<JwtPrincipal>;
}

type Algorithm = 'HS256' | 'RS256';

function configError(message: string): Error {
  return new Error(`JWT configuration: ${message}`);
}

function loadJwksFile(path: string): JSONWebKeySet {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`JWT configuration: cannot read the JWKS file ${path}`, { cause: err });
  }
  if (parsed === null || typeof parsed !== 'object' || !Array.isArray((parsed as { keys?: unknown }).keys)) {
    throw configError(`${path} is not a JWKS (an object with a "keys" array)`);
  }
  return parsed as JSONWebKeySet;
}

function rsaKeyResolver(config: JwtVerifierConfig): JWTVerifyGetKey | KeyObject | undefined {
  const sources = [config.rs256PublicKey, config.jwks, config.jwksFile, config.jwksUrl].filter((s) => s !== undefined);
  if (sources.length > 1) throw configError('give only one of rs256PublicKey, jwks, jwksFile, jwksUrl');
  if (config.rs256PublicKey !== undefined) {
    const key = createPublicKey(config.rs256PublicKey);
    if (key.asymmetricKeyType !== 'rsa') throw configError('rs256PublicKey is not an RSA public key');
    return key;
  }
  if (config.jwks !== undefined) return createLocalJWKSet(config.jwks);
  if (config.jwksFile !== undefined) return createLocalJWKSet(loadJwksFile(config.jwksFile));
  if (config.jwksUrl !== undefined) return createRemoteJWKSet(new URL(config.jwksUrl));
  return undefined;
}

/** Scopes from `scope` (space-separated string) and `scp` (array or string), deduplicated. */
export function scopesOf(payload: JWTPayload): string[] {
  const out = new Set<string>();
  const add = (value: unknown) => {
    if (typeof value === 'string') for (const s of value.split(/\s+/)) if (s !== '') out.add(s);
    if (Array.isArray(value)) for (const s of value) if (typeof s === 'string' && s !== '') out.add(s);
  };
  add(payload.scope);
  add(payload.scp);
  return [...out];
}

function modelGrant(config: JwtVerifierConfig, scopes: readonly string[]): ModelGrant {
  if (config.modelScopes === undefined && config.modelScopePrefix === undefined) return 'all';
  const patterns = new Set<string>();
  for (const scope of scopes) {
    for (const p of config.modelScopes?.[scope] ?? []) patterns.add(p);
    const prefix = config.modelScopePrefix;
    if (prefix !== undefined && prefix !== '' && scope.startsWith(prefix) && scope.length > prefix.length) {
      patterns.add(scope.slice(prefix.length));
    }
  }
  return [...patterns];
}

function authError(message: string, code: string, cause: unknown): ConduitError {
  return new ConduitError('authentication', message, { code, cause });
}

/** Maps jose's failures to messages that name the problem but never contain the token. */
function toAuthError(err: unknown): ConduitError {
  if (err instanceof ConduitError) return err;
  if (err instanceof joseErrors.JWTExpired) return authError('The token has expired', 'token_expired', err);
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    const claim = err.claim;
    if (claim === 'nbf') return authError('The token is not valid yet', 'token_not_yet_valid', err);
    return authError(`The token's '${claim}' claim is missing or not accepted`, 'invalid_token_claim', err);
  }
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return authError('The token signature is invalid', 'invalid_token_signature', err);
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return authError('The token uses an algorithm that is not accepted', 'invalid_token_algorithm', err);
  if (err instanceof joseErrors.JWKSNoMatchingKey) return authError('No key matches the token', 'invalid_token_key', err);
  return authError('The token is invalid', 'invalid_token', err);
}

export async function createJwtVerifier(config: JwtVerifierConfig): Promise<JwtVerifier> {
  const audience = config.audience;
  if (audience === undefined || (Array.isArray(audience) ? audience.length === 0 : audience === '')) {
    throw configError('audience is required');
  }
  let hsSecret: Uint8Array | undefined;
  if (config.hs256Secret !== undefined) {
    hsSecret = typeof config.hs256Secret === 'string' ? new TextEncoder().encode(config.hs256Secret) : config.hs256Secret;
    if (hsSecret.length < 32) throw configError('hs256Secret must be at least 32 bytes');
  }
  const rsa = rsaKeyResolver(config);
  const algorithms: Algorithm[] = [];
  if (hsSecret !== undefined) algorithms.push('HS256');
  if (rsa !== undefined) algorithms.push('RS256');
  if (algorithms.length === 0) throw configError('give hs256Secret, rs256PublicKey, jwks, jwksFile or jwksUrl');
  const clockTolerance = config.clockToleranceSec ?? 5;
  const teamClaim = config.teamClaim ?? 'team';
  const adminScopes = new Set(config.adminScopes ?? []);

  const getKey: JWTVerifyGetKey = async (header, token) => {
    if (header.alg === 'HS256' && hsSecret !== undefined) return hsSecret;
    if (header.alg === 'RS256' && rsa !== undefined) return typeof rsa === 'function' ? rsa(header, token) : rsa;
    throw new joseErrors.JOSEAlgNotAllowed('"alg" (Algorithm) Header Parameter value not allowed');
  };

  return {
    async verify(token) {
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, getKey, {
          algorithms,
          audience,
          ...(config.issuer !== undefined ? { issuer: config.issuer } : {}),
          clockTolerance,
          requiredClaims: ['exp', 'sub'],
        }));
      } catch (err) {
        throw toAuthError(err);
      }
      const subject = payload.sub;
      if (typeof subject !== 'string' || subject === '') throw authError("The token's 'sub' claim is missing", 'invalid_token_claim', undefined);
      const scopes = scopesOf(payload);
      const team = payload[teamClaim];
      return {
        kind: 'jwt',
        subject,
        userId: subject,
        ...(typeof team === 'string' && team !== '' ? { team } : {}),
        ...(typeof payload.iss === 'string' ? { issuer: payload.iss } : {}),
        scopes,
        allowedModels: modelGrant(config, scopes),
        admin: scopes.some((s) => adminScopes.has(s)),
      };
    },
  };
}
