/**
 * What to do with detected PII: mask (keep a hint: j***@example.com, **** **** **** 1111), redact
 * ([REDACTED_EMAIL]) or anonymise with reversible placeholders (<EMAIL_1>) that `PiiVault.restore`
 * puts back in the model's answer — also in a stream, where a placeholder can arrive split across
 * deltas ("<EMA" + "IL_1>"): `PlaceholderRestorer` holds back only a tail that is a prefix of a
 * placeholder this vault issued, and emits everything else at once.
 *
 * Known limit: restoration is exact-match; a model that rewrites a placeholder ("EMAIL_1", "<email_1>")
 * gets it back unrestored.
 */
import { detectPii, type PiiEntity, type PiiMatch } from './pii.js';

export type PiiAction = 'mask' | 'redact' | 'anonymise';

/** The label used in redactions and placeholders. */
export const PII_LABELS: Record<PiiEntity, string> = {
  email: 'EMAIL',
  phone: 'PHONE',
  ssn: 'SSN',
  credit_card: 'CREDIT_CARD',
  ipv4: 'IP_ADDRESS',
  ipv6: 'IP_ADDRESS',
  iban: 'IBAN',
};

const PLACEHOLDER = /<([A-Z][A-Z_]*)_(\d+)>/g;

/** Same value → same placeholder. Email compares case-insensitively; number-like values ignore separators. */
function canonical(entity: PiiEntity, value: string): string {
  if (entity === 'email' || entity === 'ipv6') return `${entity}:${value.toLowerCase()}`;
  if (entity === 'ipv4') return `${entity}:${value}`;
  return `${entity}:${value.replace(/[^0-9A-Za-z+]/g, '').toUpperCase()}`;
}

/**
 * The placeholder ↔ original table of one request. Create one per request (or per conversation
 * when placeholders must stay stable across turns); it holds the originals in memory only.
 */
export class PiiVault {
  private readonly byCanonical = new Map<string, string>();
  private readonly originals = new Map<string, string>();
  private readonly counters = new Map<string, number>();
  private longest = 0;

  /** The placeholder for a value, issuing `<LABEL_n>` the first time the value is seen. */
  placeholderFor(entity: PiiEntity, value: string): string {
    const key = canonical(entity, value);
    const existing = this.byCanonical.get(key);
    if (existing !== undefined) return existing;
    const label = PII_LABELS[entity];
    const n = (this.counters.get(label) ?? 0) + 1;
    this.counters.set(label, n);
    const placeholder = `<${label}_${n}>`;
    this.byCanonical.set(key, placeholder);
    this.originals.set(placeholder, value);
    this.longest = Math.max(this.longest, placeholder.length);
    return placeholder;
  }

  /** Number of placeholders issued. */
  get size(): number {
    return this.originals.size;
  }

  /** The original behind a placeholder, if this vault issued it. */
  original(placeholder: string): string | undefined {
    return this.originals.get(placeholder);
  }

  /** Puts the originals back; placeholders this vault did not issue are left as they are. */
  restore(text: string): string {
    return this.restoreCounting(text).text;
  }

  /** Like restore, also returning how many placeholders were replaced. */
  restoreCounting(text: string): { text: string; restored: number } {
    if (this.originals.size === 0 || !text.includes('<')) return { text, restored: 0 };
    let restored = 0;
    const out = text.replace(PLACEHOLDER, (m) => {
      const original = this.originals.get(m);
      if (original === undefined) return m;
      restored++;
      return original;
    });
    return { text: out, restored };
  }

  /** True when `tail` (starting with "<") could still grow into a placeholder this vault issued. */
  isPlaceholderPrefix(tail: string): boolean {
    if (tail.length >= this.longest) return false;
    for (const p of this.originals.keys()) if (p.length > tail.length && p.startsWith(tail)) return true;
    return false;
  }

  /** A restorer for one stream of deltas (one per text channel: text, reasoning, each tool call's arguments). */
  createRestorer(): PlaceholderRestorer {
    return new PlaceholderRestorer(this);
  }
}

/** Restores placeholders across stream deltas, buffering only a possible placeholder prefix. */
export class PlaceholderRestorer {
  private pending = '';
  /** Placeholders replaced so far. */
  restored = 0;

  constructor(private readonly vault: PiiVault) {}

  /** Feeds a delta; returns the text that can be emitted now (may be ''). */
  push(delta: string): string {
    let text = this.pending + delta;
    this.pending = '';
    const lt = text.lastIndexOf('<');
    if (lt !== -1 && !text.includes('>', lt)) {
      const tail = text.slice(lt);
      if (this.vault.isPlaceholderPrefix(tail)) {
        this.pending = tail;
        text = text.slice(0, lt);
      }
    }
    return this.restoreAndCount(text);
  }

  /** Ends the stream: whatever was held back (an incomplete prefix) is emitted as is. */
  flush(): string {
    const rest = this.pending;
    this.pending = '';
    return this.restoreAndCount(rest);
  }

  /** Characters currently held back. */
  get buffered(): number {
    return this.pending.length;
  }

  private restoreAndCount(text: string): string {
    const r = this.vault.restoreCounting(text);
    this.restored += r.restored;
    return r.text;
  }
}

/** Mask: keep a hint. Email: first letter + domain; IP: the last group; everything else: the last 4 characters. */
export function maskValue(entity: PiiEntity, value: string): string {
  if (entity === 'email') {
    const at = value.lastIndexOf('@');
    return `${value.slice(0, 1)}***${value.slice(at)}`;
  }
  if (entity === 'ipv4' || entity === 'ipv6') {
    const sep = entity === 'ipv4' ? '.' : ':';
    const cut = value.lastIndexOf(sep);
    return value.slice(0, cut).replace(/[0-9A-Fa-f]/g, '*') + value.slice(cut);
  }
  let keep = 4;
  let out = '';
  for (let i = value.length - 1; i >= 0; i--) {
    const ch = value[i] ?? '';
    if (/[0-9A-Za-z]/.test(ch)) out = (keep-- > 0 ? ch : '*') + out;
    else out = ch + out;
  }
  return out;
}

export function redactionFor(entity: PiiEntity): string {
  return `[REDACTED_${PII_LABELS[entity]}]`;
}

/** Replaces each match (non-overlapping, sorted, original offsets — as detectPii returns them). */
export function applyPiiAction(text: string, matches: readonly PiiMatch[], action: PiiAction, vault?: PiiVault): string {
  if (matches.length === 0) return text;
  if (action === 'anonymise' && !vault) throw new TypeError('applyPiiAction: anonymise needs a PiiVault');
  let out = '';
  let at = 0;
  for (const m of matches) {
    out += text.slice(at, m.start);
    if (action === 'mask') out += maskValue(m.entity, m.value);
    else if (action === 'redact') out += redactionFor(m.entity);
    else out += vault?.placeholderFor(m.entity, m.value) ?? '';
    at = m.end;
  }
  return out + text.slice(at);
}

export interface ProtectTextResult {
  text: string;
  matches: PiiMatch[];
}

/** Detects and acts in one step. */
export function protectText(text: string, action: PiiAction, options: { entities?: readonly PiiEntity[]; vault?: PiiVault } = {}): ProtectTextResult {
  const detectOptions = options.entities ? { entities: options.entities } : {};
  const matches = detectPii(text, detectOptions);
  return { text: applyPiiAction(text, matches, action, options.vault), matches };
}

/**
 * Masks or redacts PII in a stream of text deltas (the model's output). Text is released as soon as
 * it cannot be part of a PII value still arriving: everything but the last `holdback` characters,
 * and never the start of a value that runs into that tail. The cost is that the last `holdback`
 * characters (default 64) reach the caller only with later deltas or at flush().
 */
export class PiiStreamScanner {
  private pending = '';
  /** Matches acted on so far, per entity. */
  readonly counts: Partial<Record<PiiEntity, number>> = {};

  constructor(
    private readonly action: 'mask' | 'redact',
    private readonly entities: readonly PiiEntity[] | undefined,
    private readonly holdback = 64,
  ) {}

  push(delta: string): string {
    this.pending += delta;
    if (this.pending.length <= this.holdback) return '';
    const matches = this.detect(this.pending);
    let cut = this.pending.length - this.holdback;
    for (const m of matches) if (m.start < cut && m.end > cut) cut = m.start;
    // Never split a surrogate pair.
    const code = this.pending.charCodeAt(cut - 1);
    if (cut > 0 && code >= 0xd800 && code <= 0xdbff) cut--;
    return this.release(matches.filter((m) => m.end <= cut), cut);
  }

  flush(): string {
    return this.release(this.detect(this.pending), this.pending.length);
  }

  private detect(text: string): PiiMatch[] {
    return detectPii(text, this.entities ? { entities: this.entities } : {});
  }

  private release(matches: PiiMatch[], cut: number): string {
    for (const m of matches) this.counts[m.entity] = (this.counts[m.entity] ?? 0) + 1;
    const out = applyPiiAction(this.pending.slice(0, cut), matches, this.action);
    this.pending = this.pending.slice(cut);
    return out;
  }
}
