import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ModelRequest } from '../models/language-model.js';
import { maskValue, PiiStreamScanner, PiiVault, protectText } from './pii-actions.js';
import { protectRequest, restoreResult } from './pii-request.js';
import { emptyUsage } from '../core/usage.js';

const SAMPLE = 'Mail jane.doe@example.com or call +44 20 7946 0958; card 4111 1111 1111 1111; ssn 123-45-6789; ip 192.168.1.42';

describe('pii actions', () => {
  test('mask keeps a hint: first letter + domain, last 4, last IP group', () => {
    assert.equal(maskValue('email', 'jane.doe@example.com'), 'j***@example.com');
    assert.equal(maskValue('credit_card', '4111 1111 1111 1111'), '**** **** **** 1111');
    assert.equal(maskValue('ssn', '123-45-6789'), '***-**-6789');
    assert.equal(maskValue('ipv4', '192.168.1.42'), '***.***.*.42');
    assert.equal(maskValue('ipv6', 'fe80::1'), '****::1');
    const { text } = protectText(SAMPLE, 'mask');
    assert.equal(text, 'Mail j***@example.com or call +** ** **** 0958; card **** **** **** 1111; ssn ***-**-6789; ip ***.***.*.42');
  });

  test('redact replaces with a typed marker', () => {
    const { text, matches } = protectText(SAMPLE, 'redact');
    assert.equal(matches.length, 5);
    assert.equal(text, 'Mail [REDACTED_EMAIL] or call [REDACTED_PHONE]; card [REDACTED_CREDIT_CARD]; ssn [REDACTED_SSN]; ip [REDACTED_IP_ADDRESS]');
  });

  test('anonymise: same value → same placeholder (email case-insensitive, card ignoring separators), restore round-trips', () => {
    const vault = new PiiVault();
    const input = 'a@x.com, b@y.org, A@X.com, 4111-1111-1111-1111 and 4111 1111 1111 1111';
    const { text } = protectText(input, 'anonymise', { vault });
    assert.equal(text, '<EMAIL_1>, <EMAIL_2>, <EMAIL_1>, <CREDIT_CARD_1> and <CREDIT_CARD_1>');
    assert.equal(vault.size, 3);
    assert.equal(vault.restore('Reply to <EMAIL_2> about <CREDIT_CARD_1>; <EMAIL_9> is unknown'), 'Reply to b@y.org about 4111-1111-1111-1111; <EMAIL_9> is unknown');
    // With a fresh vault the round trip is exact (a reused vault restores a value's first-seen spelling).
    const fresh = new PiiVault();
    const anonymised = protectText(SAMPLE, 'anonymise', { vault: fresh }).text;
    assert.equal(anonymised, 'Mail <EMAIL_1> or call <PHONE_1>; card <CREDIT_CARD_1>; ssn <SSN_1>; ip <IP_ADDRESS_1>');
    assert.equal(fresh.restore(anonymised), SAMPLE);
  });

  test('anonymise without a vault is a programming error', () => {
    assert.throws(() => protectText('a@x.com', 'anonymise'), TypeError);
  });
});

describe('placeholder restore in a stream', () => {
  const vault = new PiiVault();
  const p1 = vault.placeholderFor('email', 'jane@example.com');
  const p2 = vault.placeholderFor('phone', '+44 20 7946 0958');

  function run(deltas: string[]): { out: string[]; maxBuffered: number } {
    const r = vault.createRestorer();
    const out: string[] = [];
    let maxBuffered = 0;
    for (const d of deltas) {
      out.push(r.push(d));
      maxBuffered = Math.max(maxBuffered, r.buffered);
    }
    out.push(r.flush());
    return { out, maxBuffered };
  }

  test('a placeholder split across deltas at every possible point is restored', () => {
    const full = `Contact ${p1} or ${p2}.`;
    for (let i = 1; i < full.length; i++) {
      for (let j = i + 1; j < full.length; j += 3) {
        const { out } = run([full.slice(0, i), full.slice(i, j), full.slice(j)]);
        assert.equal(out.join(''), 'Contact jane@example.com or +44 20 7946 0958.', `split at ${i},${j}`);
      }
    }
  });

  test('one character at a time: only a possible placeholder prefix is ever held back', () => {
    const full = `x < y, <b>bold</b>, <EMAIL> and ${p1}!`;
    const { out, maxBuffered } = run([...full]);
    assert.equal(out.join(''), 'x < y, <b>bold</b>, <EMAIL> and jane@example.com!');
    assert.ok(maxBuffered <= p1.length - 1, `buffered ${maxBuffered}`);
    // "<" followed by a space or "<b" is emitted at once (cannot start a placeholder).
    const r = vault.createRestorer();
    assert.equal(r.push('a <'), 'a ');
    assert.equal(r.push(' b'), '< b');
    assert.equal(r.push('<b'), '<b');
    assert.equal(r.push('<EM'), '');
    assert.equal(r.buffered, 3);
    assert.equal(r.push('PTY'), '<EMPTY');
  });

  test('an incomplete placeholder at the end of the stream is emitted as is', () => {
    const { out } = run(['see <EMAI']);
    assert.equal(out.join(''), 'see <EMAI');
  });
});

describe('PII in a streamed output', () => {
  test('values split across deltas are masked; text flows once past the holdback', () => {
    const text = 'Sure, write to jane.doe@example.com or call (415) 555-2671. ' + 'More text follows here. '.repeat(6);
    const scanner = new PiiStreamScanner('redact', undefined, 64);
    let out = '';
    let emittedEarly = false;
    for (let i = 0; i < text.length; i += 5) {
      const chunk = scanner.push(text.slice(i, i + 5));
      if (chunk.length > 0 && i + 5 < text.length) emittedEarly = true;
      out += chunk;
    }
    out += scanner.flush();
    assert.ok(emittedEarly, 'text must be released before the end');
    assert.equal(out, 'Sure, write to [REDACTED_EMAIL] or call [REDACTED_PHONE]. ' + 'More text follows here. '.repeat(6));
    assert.deepEqual(scanner.counts, { email: 1, phone: 1 });
  });
});

describe('message-level helpers', () => {
  const request: ModelRequest = {
    messages: [
      { role: 'system', content: 'Support bot. Escalate to ops@corp.com.' },
      { role: 'user', content: [{ type: 'text', text: 'I am jane@example.com' }, { type: 'image', url: 'https://img.example/x.png' }, { type: 'text', text: 'card 4111 1111 1111 1111' }] },
      { role: 'assistant', content: null, toolCalls: [{ id: 't1', name: 'lookup', arguments: '{"email":"jane@example.com"}' }] },
      { role: 'tool', toolCallId: 't1', content: 'found account for jane@example.com, phone +14155552671' },
    ],
    temperature: 0,
  };

  test('protectRequest anonymises every text (system, user parts, tool-call args, tool results) and keeps images', () => {
    const { request: out, vault, counts, total } = protectRequest(request, 'anonymise');
    assert.deepEqual(out.messages[0], { role: 'system', content: 'Support bot. Escalate to <EMAIL_1>.' });
    assert.deepEqual(out.messages[1], { role: 'user', content: [{ type: 'text', text: 'I am <EMAIL_2>' }, { type: 'image', url: 'https://img.example/x.png' }, { type: 'text', text: 'card <CREDIT_CARD_1>' }] });
    const assistant = out.messages[2];
    assert.ok(assistant?.role === 'assistant');
    assert.equal(assistant.toolCalls?.[0]?.arguments, '{"email":"<EMAIL_2>"}');
    assert.doesNotThrow(() => JSON.parse(assistant.toolCalls?.[0]?.arguments ?? ''));
    assert.equal(out.messages[3]?.content, 'found account for <EMAIL_2>, phone <PHONE_1>');
    assert.deepEqual(counts, { email: 4, credit_card: 1, phone: 1 });
    assert.equal(total, 6);
    assert.equal(out.temperature, 0);
    // The input request is not mutated.
    assert.equal(request.messages[0]?.content, 'Support bot. Escalate to ops@corp.com.');
    assert.equal(vault.size, 4);

    const restored = restoreResult(
      { text: 'Emailed <EMAIL_2>.', toolCalls: [{ id: 'c', name: 'send', arguments: '{"to":"<EMAIL_2>","card":"<CREDIT_CARD_1>"}' }], finishReason: 'stop', usage: emptyUsage(), provider: 'p', model: 'm', reasoning: 'user is <EMAIL_2>' },
      vault,
    );
    assert.equal(restored.result.text, 'Emailed jane@example.com.');
    assert.equal(restored.result.toolCalls[0]?.arguments, '{"to":"jane@example.com","card":"4111 1111 1111 1111"}');
    assert.equal(restored.result.reasoning, 'user is jane@example.com');
    assert.equal(restored.restored, 4);
  });

  test('a request without PII is returned as the same object', () => {
    const clean: ModelRequest = { messages: [{ role: 'user', content: 'hello' }] };
    assert.equal(protectRequest(clean, 'redact').request, clean);
  });
});
