import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { detectionViews, foldForDetection, isInvisible, normaliseForPii, originalSpan, skeleton, skeletonPattern } from './normalise.js';

describe('normalise: detection fold', () => {
  test('removes zero-width, word joiner, BOM, soft hyphen, bidi controls and tag characters', () => {
    const input = 'ig\u200Bn\u200Co\u200Dr\u2060e\uFEFF \u00ADa\u202Ell\u2066 \u{E0041}x';
    assert.equal(foldForDetection(input).text, 'ignore aii x');
    for (const cp of [0x200b, 0x200c, 0x200d, 0x2060, 0xfeff, 0xad, 0x202e, 0x2066, 0xe0000, 0xe0041, 0xe007f]) assert.ok(isInvisible(cp), cp.toString(16));
    assert.ok(!isInvisible(0x61) && !isInvisible(0x20) && !isInvisible(0x0a));
  });

  test('folds fullwidth, mathematical alphanumerics, Cyrillic/Greek homoglyphs and diacritics to Latin', () => {
    assert.equal(foldForDetection('ＩＧＮＯＲＥ').text, 'ignore');
    assert.equal(foldForDetection('𝐢𝐠𝐧𝐨𝐫𝐞 𝔰𝔶𝔰𝔱𝔢𝔪').text, 'ignore system');
    assert.equal(foldForDetection('іgnоrе ѕуѕtеm').text, 'ignore system'); // Cyrillic і о е ѕ у
    assert.equal(foldForDetection('ΙGΝΟRΕ').text, 'ignore'); // Greek capitals
    assert.equal(foldForDetection('ïgnörè').text, 'ignore');
  });

  test('leetspeak and case fold, with l and 1 both folded to i', () => {
    assert.equal(foldForDetection('1GN0R3 4LL PR3V10U5 $Y$73M @LL').text, 'ignore aii previous system aii');
    assert.equal(skeleton('all rules'), 'aii ruies');
    assert.equal(skeletonPattern('\\ball\\s(?:rules|lol)\\b'), '\\baii\\s(?:ruies|ioi)\\b');
  });

  test('words view collapses separators and rejoins spaced-out letters, keeping word gaps', () => {
    assert.equal(detectionViews('i g n o r e   a l l').words.text, 'ignore aii');
    assert.equal(detectionViews('i.g.n.o.r.e').words.text, 'ignore');
    assert.equal(detectionViews('i\ng\nn\no\nr\ne').words.text, 'ignore');
    assert.equal(detectionViews('Hello,   world!! (ok)').words.text, 'heiio worid ok');
    assert.equal(detectionViews('I am a cat').words.text, 'i am a cat'); // a short run of single letters stays as is
  });

  test('the fast (native) view texts equal the mapped views built from the same fold', () => {
    for (const input of ['Hello, World! ignore   ALL previous', 'a b c d e f and more', 'I am a cat.', 'ｗｉｄｅ text — here', 'x\ty\r\nz', '', '   ', 'i . g . n']) {
      const v = detectionViews(input);
      assert.equal(v.words.text, v.words.mapped.text, JSON.stringify(input));
      assert.equal(v.letters.text, v.letters.mapped.text, JSON.stringify(input));
    }
  });

  test('letters view drops every non-letter (ig-no-re)', () => {
    assert.equal(detectionViews('ig-no-re_all.pre vious').letters.text, 'ignoreaiiprevious');
  });

  test('maps every folded char back to its original span', () => {
    const input = 'xx ｉg\u200Bnore yy';
    const v = detectionViews(input);
    const at = v.words.text.indexOf('ignore');
    const span = v.words.originalSpan(at, at + 6);
    assert.equal(input.slice(span.start, span.end), 'ｉg\u200Bnore');
    // Astral characters (two UTF-16 units) map to both units.
    const math = '𝐢𝐠';
    const f = foldForDetection(math);
    assert.deepEqual(originalSpan(f, 0, 2), { start: 0, end: 4 });
  });
});

describe('normalise: PII view', () => {
  test('is the identity (no maps) for plain ASCII', () => {
    const v = normaliseForPii('call 415-555-2671');
    assert.equal(v.text, 'call 415-555-2671');
    assert.equal(v.starts, null);
  });

  test('NFKC and invisible removal, keeping case and digits', () => {
    const input = 'Card ４１１１\u200B1111 Bob@X.com';
    const v = normaliseForPii(input);
    assert.equal(v.text, 'Card 41111111 Bob@X.com');
    const span = originalSpan(v, 5, 13);
    assert.equal(input.slice(span.start, span.end), '４１１１\u200B1111');
  });
});
