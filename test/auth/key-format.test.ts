import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatKey, generateKeyId, generateSecret, parseKey } from '../../src/auth/key-format.js';
import { derivePepper, hashSecret, verifySecret } from '../../src/auth/key-hash.js';
import { KeyCache } from '../../src/auth/key-cache.js';

test('generated keys round-trip through parseKey and are unique', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const id = generateKeyId();
    const secret = generateSecret();
    assert.match(id, /^[0-9A-Za-z]{16}$/);
    assert.match(secret, /^[0-9A-Za-z]{43}$/);
    const key = formatKey(id, secret);
    assert.deepEqual(parseKey(key), { keyId: id, secret });
    assert.ok(!seen.has(secret));
    seen.add(secret);
  }
  // Secrets use the whole alphabet (not, say, only hex).
  const chars = new Set([...seen].join(''));
  assert.ok(chars.size > 55, `alphabet coverage ${chars.size}`);
});

test('hash binds the key id and depends on the pepper; verification is exact', () => {
  const pepper = derivePepper('m');
  const h = hashSecret(pepper, 'A'.repeat(16), 'secret');
  assert.match(h, /^hmac-sha256:[0-9a-f]{64}$/);
  assert.ok(verifySecret(pepper, 'A'.repeat(16), 'secret', h));
  assert.ok(!verifySecret(pepper, 'B'.repeat(16), 'secret', h), 'a hash copied to another id does not verify');
  assert.ok(!verifySecret(pepper, 'A'.repeat(16), 'secreT', h));
  assert.ok(!verifySecret(derivePepper('n'), 'A'.repeat(16), 'secret', h));
  assert.ok(!verifySecret(pepper, 'A'.repeat(16), 'secret', 'garbage'));
  assert.notDeepEqual(derivePepper('m'), Buffer.from('m'));
});

test('KeyCache: TTL expiry and bounded negative entries', () => {
  const cache = new KeyCache({ ttlMs: 1000, maxEntries: 2, maxNegativeEntries: 3 });
  for (let i = 0; i < 10; i++) cache.set(`miss${i}`, { found: false }, 0);
  assert.equal(cache.size.negative, 3);
  assert.deepEqual(cache.get('miss9', 0), { found: false });
  assert.equal(cache.get('miss0', 0), undefined, 'oldest evicted');
  assert.equal(cache.get('miss9', 999)?.found, false);
  assert.equal(cache.get('miss9', 1000), undefined, 'expired at the TTL');
  const disabled = new KeyCache({ ttlMs: 0, maxEntries: 2, maxNegativeEntries: 2 });
  disabled.set('x', { found: false }, 0);
  assert.equal(disabled.get('x', 0), undefined);
});
