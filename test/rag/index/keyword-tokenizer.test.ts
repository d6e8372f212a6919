import { test } from 'node:test';
import assert from 'node:assert/strict';
import { queryTerms, tokenize } from '../../../src/rag/index/index.js';
import { stemPlural } from '../../../src/rag/index/keyword/tokenizer.js';

test('plain words are lower-cased, stop-words dropped and plurals folded', () => {
  assert.deepEqual(tokenize('The Queries of the Libraries and their Classes'), ['query', 'library', 'class']);
  assert.deepEqual(tokenize('Streams, buffers; matches!'), ['stream', 'buffer', 'match']);
});

test('the S-stemmer leaves non-plurals and identifiers alone', () => {
  assert.equal(stemPlural('status'), 'status');
  assert.equal(stemPlural('class'), 'class');
  assert.equal(stemPlural('bus'), 'bus');
  assert.equal(stemPlural('node_env'), 'node_env');
  assert.equal(stemPlural('policies'), 'policy');
});

test('technical tokens are kept whole and also split into their parts', () => {
  assert.deepEqual(tokenize('Use fs.readFile here'), ['use', 'fs.readfile', 'fs', 'readfile', 'read', 'file']);
  assert.deepEqual(tokenize('node --max-old-space-size=4096'), ['node', 'max-old-space-size', 'max', 'old', 'space', 'size', '4096']);
  assert.deepEqual(tokenize("import 'node:test'"), ['import', 'node:test', 'node', 'test']);
  assert.deepEqual(tokenize('NODE_ENV readFileSync'), ['node_env', 'node', 'env', 'readfilesync', 'read', 'file', 'sync']);
  // An all-caps word is a word, not a compound (its term is not counted twice).
  assert.deepEqual(tokenize('JSON'), ['json']);
});

test('queryTerms are distinct', () => {
  assert.deepEqual(queryTerms('cache cache the Cache'), ['cache']);
  assert.deepEqual(queryTerms('the of and'), []);
});
