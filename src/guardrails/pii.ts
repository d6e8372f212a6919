/**
 * PII detection: email, phone, US SSN, credit card, IPv4, IPv6, IBAN. Pattern-based with checksums
 * where the format has one (Luhn for cards, mod-97 for IBAN, `net.isIPv6` for IPv6), so a digit run
 * is only a card if it passes Luhn and starts with a known issuer prefix, and a phone number needs a
 * phone's shape (a `+`/`00` prefix, or separators in a national format), not just ten digits.
 *
 * Detection runs on the NFKC, invisible-stripped view (normalise.ts) so "４１１１ 1111…" and an email
 * split with zero-width spaces are still found; offsets are reported on the ORIGINAL text (the
 * replaced span includes any invisible characters inside the value).
 *
 * Overlaps are resolved deterministically: the longest match wins; at equal length the more specific
 * entity wins (iban > credit_card > email > ssn > ipv6 > ipv4 > phone: checksum-validated before
 * shape-only); then the leftmost. This is what keeps a phone-shaped slice of a card number, or an
 * SSN-shaped slice of a phone, from corrupting the replacement.
 */
import { isIPv6 } from 'node:net';
import { normaliseForPii, originalSpan } from './normalise.js';

export type PiiEntity = 'email' | 'phone' | 'ssn' | 'credit_card' | 'ipv4' | 'ipv6' | 'iban';

export const PII_ENTITIES: readonly PiiEntity[] = ['email', 'phone', 'ssn', 'credit_card', 'ipv4', 'ipv6', 'iban'];

export interface PiiMatch {
  entity: PiiEntity;
  /** Rule id reported in decisions: `pii.<entity>`. */
  ruleId: string;
  /** UTF-16 offsets in the original text. */
  start: number;
  end: number;
  /** The original text of the match. */
  value: string;
}

/** Higher is more specific; used to break ties between overlapping matches of equal length. */
const SPECIFICITY: Record<PiiEntity, number> = { iban: 7, credit_card: 6, email: 5, ssn: 4, ipv6: 3, ipv4: 2, phone: 1 };

// ---------- patterns (compiled once) ----------

const EMAIL = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![A-Za-z0-9-])/g;
/** International: `+` or `00`, country code, then groups; 8–15 digits checked in code. */
const PHONE_INTL = /(?<![\w+])(?:\+|\b00)[1-9]\d{0,3}(?:[ .-]?(?:\(\d{1,4}\)|\d{1,5})){1,6}(?![\w-])/g;
/** North American with separators: (415) 555-2671, 415-555-2671, 415.555.2671, +1 415 555 2671. */
const PHONE_US = /(?<![\w+-])(?:\+?1[ .-]?)?(?:\([2-9]\d{2}\)[ .-]?|[2-9]\d{2}[ .-])[2-9]\d{2}[ .-]\d{4}(?![\w-])/g;
/** European national formats with a trunk 0: 030 1234567, 06 12 34 56 78, 020 7946 0958; 9–12 digits, one kind of separator. */
const PHONE_NATIONAL = /(?<![\w+\-/.])0\d{1,4}(?:[ /-]\d{2,8}){1,4}(?![\w\-/]|\.\d)/g;
const SSN = /(?<![\w-])(\d{3})([- ])(\d{2})\2(\d{4})(?![\w-])/g;
const SSN_WITH_CONTEXT = /\b(?:ssn|social\s+security(?:\s+(?:number|no\.?|#))?)\s*[:#]?\s*(\d{9})(?!\d)/gi;
const CARD_CANDIDATE = /(?<![\d-])\d(?:[ -]?\d){12,22}(?!\d)/g;
const IPV4 = /(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?!\.?\d)/g;
const IPV6_CANDIDATE = /(?<![\w:.])[0-9A-Fa-f:.]{3,45}(?![\w:])/g;
const IBAN_START = /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?=[ ]?[A-Za-z0-9])/g;

/** IBAN length by country (ISO 13616 registry). */
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, BY: 28, CH: 21, CR: 22, CY: 28,
  CZ: 24, DE: 22, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18,
  GR: 27, GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32,
  LI: 21, LT: 20, LU: 20, LV: 21, MC: 27, MD: 24, ME: 22, MK: 19, MR: 27, MT: 31, MU: 30, NL: 18, NO: 15, PK: 24,
  PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, SA: 24, SC: 31, SE: 24, SI: 19, SK: 24, SM: 27, ST: 25, SV: 28,
  TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20,
};

// ---------- validators ----------

/** Luhn (mod 10) check over a string of digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** The card network for a digit string, when its issuer prefix (IIN) and length match one. */
export function cardNetwork(digits: string): string | undefined {
  const len = digits.length;
  const p2 = Number(digits.slice(0, 2));
  const p3 = Number(digits.slice(0, 3));
  const p4 = Number(digits.slice(0, 4));
  const p6 = Number(digits.slice(0, 6));
  if (digits[0] === '4' && (len === 13 || len === 16 || len === 19)) return 'visa';
  if (((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) && len === 16) return 'mastercard';
  if ((p2 === 34 || p2 === 37) && len === 15) return 'amex';
  if ((p4 === 6011 || (p3 >= 644 && p3 <= 649) || p2 === 65 || (p6 >= 622126 && p6 <= 622925)) && len >= 16 && len <= 19) return 'discover';
  if (p4 >= 3528 && p4 <= 3589 && len >= 16 && len <= 19) return 'jcb';
  if (((p3 >= 300 && p3 <= 305) || p2 === 36 || p2 === 38 || p2 === 39) && len >= 14 && len <= 19) return 'diners';
  if (p2 === 62 && len >= 16 && len <= 19) return 'unionpay';
  if ((p2 === 50 || (p2 >= 56 && p2 <= 69)) && len >= 13 && len <= 19) return 'maestro';
  return undefined;
}

/** US SSN validity: area not 000, 666 or 9xx; group not 00; serial not 0000. */
export function ssnValid(area: string, group: string, serial: string): boolean {
  if (area === '000' || area === '666' || area[0] === '9') return false;
  return group !== '00' && serial !== '0000';
}

/** IBAN validity: known country, the country's length, and the ISO 7064 mod-97 check. Spaces are ignored. */
export function ibanValid(iban: string): boolean {
  const s = iban.replace(/ /g, '').toUpperCase();
  const expected = IBAN_LENGTHS[s.slice(0, 2)];
  if (expected === undefined || s.length !== expected || !/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(s)) return false;
  const rearranged = s.slice(4) + s.slice(0, 4);
  let rem = 0;
  for (let i = 0; i < rearranged.length; i++) {
    const c = rearranged.charCodeAt(i);
    const v = c >= 65 ? c - 55 : c - 48;
    rem = v >= 10 ? (rem * 100 + v) % 97 : (rem * 10 + v) % 97;
  }
  return rem === 1;
}

function digitCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

// ---------- detectors (on the normalised text; offsets in that text) ----------

interface Candidate {
  entity: PiiEntity;
  start: number;
  end: number;
}

type Detector = (t: string, out: Candidate[]) => void;

function eachMatch(re: RegExp, t: string, fn: (m: RegExpExecArray) => void): void {
  re.lastIndex = 0;
  for (let m = re.exec(t); m; m = re.exec(t)) fn(m);
}

const DETECTORS: Record<PiiEntity, Detector> = {
  email(t, out) {
    if (!t.includes('@')) return;
    eachMatch(EMAIL, t, (m) => out.push({ entity: 'email', start: m.index, end: m.index + m[0].length }));
  },

  phone(t, out) {
    eachMatch(PHONE_INTL, t, (m) => {
      const digits = digitCount(m[0]) - (m[0].startsWith('00') ? 2 : 0);
      if (digits >= 8 && digits <= 15) out.push({ entity: 'phone', start: m.index, end: m.index + m[0].length });
    });
    eachMatch(PHONE_US, t, (m) => out.push({ entity: 'phone', start: m.index, end: m.index + m[0].length }));
    eachMatch(PHONE_NATIONAL, t, (m) => {
      const digits = digitCount(m[0]);
      const separators = new Set(m[0].replace(/\d/g, ''));
      if (digits >= 9 && digits <= 12 && separators.size === 1) out.push({ entity: 'phone', start: m.index, end: m.index + m[0].length });
    });
  },

  ssn(t, out) {
    eachMatch(SSN, t, (m) => {
      if (ssnValid(m[1] ?? '', m[3] ?? '', m[4] ?? '')) out.push({ entity: 'ssn', start: m.index, end: m.index + m[0].length });
    });
    eachMatch(SSN_WITH_CONTEXT, t, (m) => {
      const d = m[1] ?? '';
      const start = m.index + m[0].length - d.length;
      if (ssnValid(d.slice(0, 3), d.slice(3, 5), d.slice(5))) out.push({ entity: 'ssn', start, end: start + d.length });
    });
  },

  credit_card(t, out) {
    eachMatch(CARD_CANDIDATE, t, (m) => {
      // Try the whole run, then shorter prefixes ending at a separator or digit, longest first: a
      // card followed by a CVV or another number still yields the card.
      const raw = m[0];
      const digitEnds: number[] = [];
      let digits = '';
      for (let i = 0; i < raw.length; i++) {
        const c = raw.charCodeAt(i);
        if (c >= 48 && c <= 57) {
          digits += raw[i];
          digitEnds.push(i + 1);
        }
      }
      for (let len = Math.min(19, digits.length); len >= 13; len--) {
        const candidate = digits.slice(0, len);
        const endInRaw = digitEnds[len - 1] ?? raw.length;
        // Only cut at a group boundary (or the run's end), never mid-group.
        if (endInRaw < raw.length && /\d/.test(raw[endInRaw] ?? '')) continue;
        if (cardNetwork(candidate) !== undefined && luhnValid(candidate)) {
          out.push({ entity: 'credit_card', start: m.index, end: m.index + endInRaw });
          return;
        }
      }
    });
  },

  ipv4(t, out) {
    eachMatch(IPV4, t, (m) => out.push({ entity: 'ipv4', start: m.index, end: m.index + m[0].length }));
  },

  ipv6(t, out) {
    if (!t.includes(':')) return;
    eachMatch(IPV6_CANDIDATE, t, (m) => {
      let value = m[0];
      while (value.endsWith('.')) value = value.slice(0, -1);
      if (value.split(':').length < 3) return;
      // At least two hex groups: "::1" (loopback) is not personal data, and "a::" is more often code.
      const groups = value.split(/[:.]/).filter((g) => g.length > 0).length;
      if (groups < 2 || !isIPv6(value)) return;
      out.push({ entity: 'ipv6', start: m.index, end: m.index + value.length });
    });
  },

  iban(t, out) {
    eachMatch(IBAN_START, t, (m) => {
      const country = m[0].slice(0, 2).toUpperCase();
      const length = IBAN_LENGTHS[country];
      if (length === undefined) return;
      // Walk exactly the country's length of alphanumerics, allowing single spaces between them.
      let compact = m[0].toUpperCase();
      let i = m.index + m[0].length;
      while (compact.length < length && i < t.length) {
        const ch = t[i] ?? '';
        if (/[A-Za-z0-9]/.test(ch)) {
          compact += ch.toUpperCase();
          i++;
        } else if (ch === ' ' && /[A-Za-z0-9]/.test(t[i + 1] ?? '')) i++;
        else break;
      }
      if (compact.length !== length || /[A-Za-z0-9]/.test(t[i] ?? '')) return;
      if (ibanValid(compact)) out.push({ entity: 'iban', start: m.index, end: i });
    });
  },
};

export interface DetectPiiOptions {
  /** Entities to look for; default all. */
  entities?: readonly PiiEntity[];
}

/** Finds PII in `text`; returns non-overlapping matches sorted by start, with original-text offsets. */
export function detectPii(text: string, options: DetectPiiOptions = {}): PiiMatch[] {
  if (text.length === 0) return [];
  const view = normaliseForPii(text);
  const candidates: Candidate[] = [];
  for (const entity of options.entities ?? PII_ENTITIES) DETECTORS[entity](view.text, candidates);
  if (candidates.length === 0) return [];
  const mapped = candidates.map((c) => ({ entity: c.entity, ...originalSpan(view, c.start, c.end) }));
  return resolveOverlaps(mapped).map((c) => ({ entity: c.entity, ruleId: `pii.${c.entity}`, start: c.start, end: c.end, value: text.slice(c.start, c.end) }));
}

/** Longest wins; then more specific entity; then leftmost. Returns the kept matches sorted by start. */
export function resolveOverlaps<T extends { entity: PiiEntity; start: number; end: number }>(candidates: T[]): T[] {
  const ranked = [...candidates].sort((a, b) => b.end - b.start - (a.end - a.start) || SPECIFICITY[b.entity] - SPECIFICITY[a.entity] || a.start - b.start);
  const kept: T[] = [];
  for (const c of ranked) {
    if (kept.every((k) => c.end <= k.start || c.start >= k.end)) kept.push(c);
  }
  return kept.sort((a, b) => a.start - b.start);
}
