import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractCredential } from '../../src/auth/index.js';

const KEY = `ck-${'a'.repeat(16)}-${'b'.repeat(43)}`;
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl';

test('Authorization: Bearer carries a key or a JWT', () => {
  assert.deepEqual(extractCredential({ authorization: `Bearer ${KEY}` }), { type: 'key', value: KEY, source: 'authorization' });
  assert.deepEqual(extractCredential({ authorization: `Bearer ${JWT}` }), { type: 'jwt', value: JWT, source: 'authorization' });
  // Scheme is case-insensitive, extra spaces tolerated; header names in any case on plain records.
  assert.deepEqual(extractCredential({ Authorization: `bearer   ${KEY}  ` }), { type: 'key', value: KEY, source: 'authorization' });
  // Anything that is not three dot-separated parts is a key candidate (rejected later if invalid).
  assert.deepEqual(extractCredential({ authorization: 'Bearer sk-proj-abc' }), { type: 'key', value: 'sk-proj-abc', source: 'authorization' });
  assert.deepEqual(extractCredential({ authorization: 'Bearer a.b' }), { type: 'key', value: 'a.b', source: 'authorization' });
  assert.deepEqual(extractCredential({ authorization: 'Bearer a.b.c.d' }), { type: 'key', value: 'a.b.c.d', source: 'authorization' });
});

test('x-api-key (Anthropic clients), fetch Headers and array values', () => {
  assert.deepEqual(extractCredential({ 'x-api-key': KEY }), { type: 'key', value: KEY, source: 'x-api-key' });
  assert.deepEqual(extractCredential(new Headers({ 'X-Api-Key': JWT })), { type: 'jwt', value: JWT, source: 'x-api-key' });
  assert.deepEqual(extractCredential(new Headers({ Authorization: `Bearer ${KEY}` })), { type: 'key', value: KEY, source: 'authorization' });
  assert.deepEqual(extractCredential({ 'x-api-key': [KEY, 'other'] }), { type: 'key', value: KEY, source: 'x-api-key' });
  // Bearer wins over x-api-key when both are sent.
  assert.deepEqual(extractCredential({ authorization: `Bearer ${JWT}`, 'x-api-key': KEY }), { type: 'jwt', value: JWT, source: 'authorization' });
  // A non-Bearer Authorization (Basic) falls through to x-api-key.
  assert.deepEqual(extractCredential({ authorization: 'Basic dXNlcjpwYXNz', 'x-api-key': KEY }), { type: 'key', value: KEY, source: 'x-api-key' });
});

test('no usable credential is none', () => {
  assert.deepEqual(extractCredential({}), { type: 'none' });
  assert.deepEqual(extractCredential({ authorization: 'Bearer' }), { type: 'none' });
  assert.deepEqual(extractCredential({ authorization: 'Bearer    ' }), { type: 'none' });
  assert.deepEqual(extractCredential({ authorization: 'Basic dXNlcjpwYXNz' }), { type: 'none' });
  assert.deepEqual(extractCredential({ 'x-api-key': '  ' }), { type: 'none' });
  assert.deepEqual(extractCredential({ authorization: 'Bearer two words' }), { type: 'none' });
  assert.deepEqual(extractCredential(new Headers()), { type: 'none' });
});
