import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import type { JWTPayload } from 'jose';
import { ConduitError } from '../../src/core/errors.js';
import { authorizeModel, createJwtVerifier } from '../../src/auth/index.js';
import type { JwtVerifier } from '../../src/auth/index.js';

const HS_SECRET = 'a-shared-secret-that-is-32-bytes-or-more!!';
const AUDIENCE = 'conduit';
const ISSUER = 'https://idp.example';
const now = () => Math.floor(Date.now() / 1000);

async function hs256(payload: JWTPayload, secret = HS_SECRET, header: { alg: string } = { alg: 'HS256' }) {
  return new SignJWT(payload).setProtectedHeader(header).sign(new TextEncoder().encode(secret));
}

function base(over: JWTPayload = {}): JWTPayload {
  return { sub: 'user-1', aud: AUDIENCE, iss: ISSUER, exp: now() + 300, iat: now(), ...over };
}

async function rejects(verifier: JwtVerifier, token: string, code: string) {
  await assert.rejects(verifier.verify(token), (err: unknown) => {
    assert.ok(err instanceof ConduitError);
    assert.equal(err.kind, 'authentication');
    assert.equal(err.status, 401);
    assert.equal(err.code, code);
    assert.ok(!err.message.includes(token) && !err.message.includes(token.split('.')[2]!), 'no token in the message');
    return true;
  });
}

describe('JWT HS256', () => {
  test('a valid token yields a jwt principal with scopes, team and model grants', async () => {
    const verifier = await createJwtVerifier({
      hs256Secret: HS_SECRET,
      audience: AUDIENCE,
      issuer: ISSUER,
      adminScopes: ['conduit:admin'],
      modelScopes: { 'models:cheap': ['openai/gpt-4o-mini', 'local/*'] },
      modelScopePrefix: 'model:',
    });
    const p = await verifier.verify(await hs256(base({ scope: 'models:cheap model:anthropic/* openid', team: 'alpha' })));
    assert.equal(p.kind, 'jwt');
    assert.equal(p.subject, 'user-1');
    assert.equal(p.userId, 'user-1');
    assert.equal(p.team, 'alpha');
    assert.equal(p.issuer, ISSUER);
    assert.deepEqual(p.scopes, ['models:cheap', 'model:anthropic/*', 'openid']);
    assert.deepEqual(p.allowedModels, ['openai/gpt-4o-mini', 'local/*', 'anthropic/*']);
    assert.equal(p.admin, false);
    authorizeModel(p, 'local/llama');
    authorizeModel(p, 'anthropic/claude-sonnet');
    assert.throws(() => authorizeModel(p, 'openai/gpt-4o'), (err: unknown) => err instanceof ConduitError && err.status === 403);

    // `scp` arrays (Azure AD / Okta) count too; the admin scope grants admin.
    const admin = await verifier.verify(await hs256(base({ scp: ['conduit:admin'] })));
    assert.equal(admin.admin, true);
    assert.deepEqual(admin.allowedModels, [], 'mapping configured and no model scope: no models');
    assert.throws(() => authorizeModel(admin, 'anything'));
  });

  test('without a model mapping every model is allowed', async () => {
    const verifier = await createJwtVerifier({ hs256Secret: HS_SECRET, audience: AUDIENCE });
    const p = await verifier.verify(await hs256(base()));
    assert.equal(p.allowedModels, 'all');
    authorizeModel(p, 'whatever/model');
  });

  test('expired, not-yet-valid, wrong audience, wrong issuer, bad signature, missing sub/exp are refused', async () => {
    const verifier = await createJwtVerifier({ hs256Secret: HS_SECRET, audience: AUDIENCE, issuer: ISSUER, clockToleranceSec: 5 });
    await rejects(verifier, await hs256(base({ exp: now() - 60 })), 'token_expired');
    // Within the clock tolerance an just-expired token still passes.
    assert.equal((await verifier.verify(await hs256(base({ exp: now() - 2 })))).subject, 'user-1');
    await rejects(verifier, await hs256(base({ nbf: now() + 60 })), 'token_not_yet_valid');
    await rejects(verifier, await hs256(base({ aud: 'another-service' })), 'invalid_token_claim');
    await rejects(verifier, await hs256(base({ iss: 'https://evil.example' })), 'invalid_token_claim');
    await rejects(verifier, await hs256(base(), 'a-different-secret-that-is-also-32-bytes!'), 'invalid_token_signature');
    const { sub: _sub, ...noSub } = base();
    await rejects(verifier, await hs256(noSub), 'invalid_token_claim');
    const { exp: _exp, ...noExp } = base();
    await rejects(verifier, await hs256(noExp), 'invalid_token_claim');
    // A tampered payload breaks the signature.
    const good = await hs256(base());
    const [h, , s] = good.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify(base({ sub: 'admin' }))).toString('base64url')}.${s}`;
    await rejects(verifier, forged, 'invalid_token_signature');
    // alg none never verifies.
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(base())).toString('base64url')}.`;
    await assert.rejects(verifier.verify(none), (err: unknown) => err instanceof ConduitError && err.kind === 'authentication');
    await rejects(verifier, 'not-a-jwt', 'invalid_token');
  });

  test('configuration errors are caught at start', async () => {
    await assert.rejects(createJwtVerifier({ hs256Secret: 'short', audience: AUDIENCE }), /at least 32 bytes/);
    await assert.rejects(createJwtVerifier({ hs256Secret: HS_SECRET, audience: '' }), /audience is required/);
    await assert.rejects(createJwtVerifier({ audience: AUDIENCE }), /give hs256Secret/);
  });
});

describe('JWT RS256', () => {
  test('PEM public key, local JWKS and JWKS file all verify; a foreign key and algorithm confusion do not', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    const other = await generateKeyPair('RS256', { extractable: true });
    const pem = await exportSPKI(publicKey);
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    const sign = (payload: JWTPayload, key = privateKey, kid = 'k1') =>
      new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid }).sign(key);

    const dir = mkdtempSync(join(tmpdir(), 'conduit-jwks-'));
    try {
      const file = join(dir, 'jwks.json');
      writeFileSync(file, JSON.stringify({ keys: [jwk] }));
      const verifiers = [
        await createJwtVerifier({ rs256PublicKey: pem, audience: AUDIENCE }),
        await createJwtVerifier({ jwks: { keys: [jwk] }, audience: AUDIENCE }),
        await createJwtVerifier({ jwksFile: file, audience: AUDIENCE }),
      ];
      for (const verifier of verifiers) {
        const p = await verifier.verify(await sign(base({ scope: 'a b' })));
        assert.equal(p.subject, 'user-1');
        assert.deepEqual(p.scopes, ['a', 'b']);
        await rejects(verifier, await sign(base({ exp: now() - 60 })), 'token_expired');
        await rejects(verifier, await sign(base({ aud: 'x' })), 'invalid_token_claim');
      }
      await rejects(verifiers[0]!, await sign(base(), other.privateKey), 'invalid_token_signature');
      await rejects(verifiers[1]!, await sign(base(), other.privateKey), 'invalid_token_signature');
      await rejects(verifiers[1]!, await sign(base(), other.privateKey, 'unknown-kid'), 'invalid_token_key');

      // Algorithm confusion: HS256 signed with the RSA public key as the HMAC secret is refused.
      const confused = await hs256(base(), pem);
      await rejects(verifiers[0]!, confused, 'invalid_token_algorithm');

      // HS256 and RS256 side by side: each token verifies with its own key only.
      const both = await createJwtVerifier({ hs256Secret: HS_SECRET, rs256PublicKey: pem, audience: AUDIENCE });
      assert.equal((await both.verify(await hs256(base()))).subject, 'user-1');
      assert.equal((await both.verify(await sign(base()))).subject, 'user-1');
      await rejects(both, await hs256(base(), pem), 'invalid_token_signature');

      await assert.rejects(createJwtVerifier({ rs256PublicKey: pem, jwks: { keys: [jwk] }, audience: AUDIENCE }), /only one of/);
      await assert.rejects(createJwtVerifier({ jwksFile: join(dir, 'missing.json'), audience: AUDIENCE }), /cannot read the JWKS file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
