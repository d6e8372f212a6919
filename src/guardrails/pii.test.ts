import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cardNetwork, detectPii, ibanValid, luhnValid, resolveOverlaps, type PiiEntity } from './pii.js';

function found(text: string, entity?: PiiEntity): string[] {
  return detectPii(text, entity ? { entities: [entity] } : {}).map((m) => (entity ? m.value : `${m.entity}:${m.value}`));
}

describe('pii: email', () => {
  test('positives', () => {
    assert.deepEqual(found('mail john.doe+tag@example.co.uk now', 'email'), ['john.doe+tag@example.co.uk']);
    assert.deepEqual(found('A@B.IO, x_y@sub.domain.org.', 'email'), ['A@B.IO', 'x_y@sub.domain.org']);
  });
  test('negatives: handles, @ without domain, no TLD', () => {
    assert.deepEqual(found('@john, user@localhost, a@b, 3 @ 4pm', 'email'), []);
  });
  test('an email split with zero-width spaces is found and reported on the original span', () => {
    const text = 'write to jo\u200Bhn@exa\u200Bmple.com please';
    const [m] = detectPii(text, { entities: ['email'] });
    assert.equal(m?.value, 'jo\u200Bhn@exa\u200Bmple.com');
  });
});

describe('pii: phone', () => {
  test('E.164 and international formats', () => {
    assert.deepEqual(found('call +14155552671 or +44 20 7946 0958 or +49 30 1234567', 'phone'), ['+14155552671', '+44 20 7946 0958', '+49 30 1234567']);
    assert.deepEqual(found('or 0049 30 1234567', 'phone'), ['0049 30 1234567']);
  });
  test('US formats with separators', () => {
    assert.deepEqual(found('(415) 555-2671, 415-555-2671, 415.555.2671, +1 415 555 2671', 'phone'), ['(415) 555-2671', '415-555-2671', '415.555.2671', '+1 415 555 2671']);
  });
  test('EU national formats', () => {
    assert.deepEqual(found('Paris 06 12 34 56 78, London 020 7946 0958, Berlin 030/12345678', 'phone'), ['06 12 34 56 78', '020 7946 0958', '030/12345678']);
  });
  test('not every digit run: order numbers, years, dates, versions, prices', () => {
    assert.deepEqual(found('order 4155552671, year 2024, date 01/02/2024, v1.2.3, $1,234,567, 07/12/2023 10am, 123-4567', 'phone'), []);
  });
});

describe('pii: SSN', () => {
  test('valid dashed and spaced SSNs', () => {
    assert.deepEqual(found('ssn 123-45-6789 and 078 05 1120', 'ssn'), ['123-45-6789', '078 05 1120']);
  });
  test('invalid area (000, 666, 9xx), group 00 and serial 0000 are rejected', () => {
    assert.deepEqual(found('000-12-3456 666-12-3456 912-34-5678 123-00-4567 123-45-0000', 'ssn'), []);
  });
  test('mixed separators and bare digits without context are not SSNs; bare digits after "SSN:" are', () => {
    assert.deepEqual(found('123-45 6789 and 123456789', 'ssn'), []);
    assert.deepEqual(found('SSN: 123456789', 'ssn'), ['123456789']);
  });
});

describe('pii: credit cards', () => {
  test('Luhn-valid cards with known prefixes, with spaces or dashes', () => {
    assert.deepEqual(found('visa 4111 1111 1111 1111, mc 5555-5555-5555-4444, amex 378282246310005, disc 6011111111111117', 'credit_card'), [
      '4111 1111 1111 1111',
      '5555-5555-5555-4444',
      '378282246310005',
      '6011111111111117',
    ]);
  });
  test('a Luhn-invalid card is not matched', () => {
    assert.deepEqual(found('4111 1111 1111 1112', 'credit_card'), []);
    assert.equal(luhnValid('4111111111111112'), false);
    assert.equal(luhnValid('4111111111111111'), true);
  });
  test('a Luhn-valid number with an unknown issuer prefix is not a card', () => {
    // 1234567812345670 passes Luhn but no network starts with 1.
    assert.equal(luhnValid('1234567812345670'), true);
    assert.equal(cardNetwork('1234567812345670'), undefined);
    assert.deepEqual(found('id 1234567812345670', 'credit_card'), []);
  });
  test('a card followed by a CVV in the same digit run is still found', () => {
    assert.deepEqual(found('4111 1111 1111 1111 123', 'credit_card'), ['4111 1111 1111 1111']);
  });
  test('networks', () => {
    assert.equal(cardNetwork('4111111111111111'), 'visa');
    assert.equal(cardNetwork('2221000000000009'), 'mastercard');
    assert.equal(cardNetwork('378282246310005'), 'amex');
    assert.equal(cardNetwork('3530111333300000'), 'jcb');
    assert.equal(cardNetwork('30569309025904'), 'diners');
  });
});

describe('pii: IP addresses', () => {
  test('IPv4 with valid octets only', () => {
    assert.deepEqual(found('hosts 192.168.1.42, 8.8.8.8. bad 256.1.1.1 999.0.0.1 1.2.3', 'ipv4'), ['192.168.1.42', '8.8.8.8']);
  });
  test('IPv6 full, compressed and IPv4-mapped forms', () => {
    assert.deepEqual(found('a 2001:0db8:85a3:0000:0000:8a2e:0370:7334 b 2001:db8::8a2e:370:7334 c fe80::1 d ::ffff:192.0.2.128.', 'ipv6'), [
      '2001:0db8:85a3:0000:0000:8a2e:0370:7334',
      '2001:db8::8a2e:370:7334',
      'fe80::1',
      '::ffff:192.0.2.128',
    ]);
  });
  test('IPv6 negatives: times, MAC addresses, C++ scopes, loopback', () => {
    assert.deepEqual(found('at 12:30:45, mac 00:1a:2b:3c:4d:5e, std::vector, Foo::Bar, ::1, 1:2:3', 'ipv6'), []);
  });
});

describe('pii: IBAN', () => {
  test('valid IBANs, compact and grouped, various countries', () => {
    assert.deepEqual(found('pay DE89 3704 0044 0532 0130 00 or GB82WEST12345698765432 or FR14 2004 1010 0505 0001 3M02 606 today', 'iban'), [
      'DE89 3704 0044 0532 0130 00',
      'GB82WEST12345698765432',
      'FR14 2004 1010 0505 0001 3M02 606',
    ]);
  });
  test('checksum and length are enforced', () => {
    assert.equal(ibanValid('DE89370400440532013000'), true);
    assert.equal(ibanValid('DE88370400440532013000'), false); // wrong check digits
    assert.equal(ibanValid('DE8937040044053201300'), false); // too short for DE
    assert.equal(ibanValid('XX89370400440532013000'), false); // unknown country
    assert.deepEqual(found('DE88 3704 0044 0532 0130 00', 'iban'), []);
  });
});

describe('pii: overlaps', () => {
  test('longest wins: a card is not also reported as phone fragments', () => {
    assert.deepEqual(found('card 4111-1111-1111-1111 end'), ['credit_card:4111-1111-1111-1111']);
  });
  test('at equal length the more specific entity wins, deterministically', () => {
    const kept = resolveOverlaps([
      { entity: 'phone' as const, start: 0, end: 11 },
      { entity: 'ssn' as const, start: 0, end: 11 },
      { entity: 'phone' as const, start: 5, end: 20 },
    ]);
    assert.deepEqual(kept, [{ entity: 'phone', start: 5, end: 20 }]);
    const tie = resolveOverlaps([
      { entity: 'phone' as const, start: 0, end: 11 },
      { entity: 'ssn' as const, start: 0, end: 11 },
    ]);
    assert.deepEqual(tie, [{ entity: 'ssn', start: 0, end: 11 }]);
  });
  test('mixed text: every entity found once, sorted, with exact original offsets', () => {
    const text = 'Bob (bob@corp.com, +1 415-555-2671) SSN 123-45-6789 paid with 5555 5555 5555 4444 from 10.0.0.7 / IBAN GB82 WEST 1234 5698 7654 32.';
    const ms = detectPii(text);
    assert.deepEqual(ms.map((m) => m.entity), ['email', 'phone', 'ssn', 'credit_card', 'ipv4', 'iban']);
    for (const m of ms) assert.equal(text.slice(m.start, m.end), m.value);
  });
  test('fullwidth digits are detected and the original fullwidth span is reported', () => {
    const text = 'ssn １２３-４５-６７８９';
    const [m] = detectPii(text);
    assert.equal(m?.entity, 'ssn');
    assert.equal(m?.value, '１２３-４５-６７８９');
  });
});
