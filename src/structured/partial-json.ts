/**
 * Parses a JSON prefix as it streams in, closing whatever is still open: an unterminated string is
 * taken as far as it goes, open arrays and objects are closed, and anything that cannot yet be
 * known is left out — a key whose value has not started, a half-written literal (`tru`), a number
 * that is not yet a number (`-`, `1.`, `2e`), a half-written escape (`\u00`). So every partial is
 * a value the final object could extend, never one it will contradict (except that a number or
 * string may still grow).
 *
 * Prose or a code fence before the JSON is skipped (from the first `{` or `[`). Returns undefined
 * when nothing usable has arrived yet or the prefix is not JSON at all.
 */

const INCOMPLETE = Symbol('incomplete');
type Parsed = unknown;

class PrefixParser {
  private pos = 0;
  constructor(private readonly text: string) {}

  /** A value, INCOMPLETE when the prefix ends before any of it can be known; throws on non-JSON. */
  value(): Parsed | typeof INCOMPLETE {
    this.skipWhitespace();
    if (this.pos >= this.text.length) return INCOMPLETE;
    const ch = this.text[this.pos]!;
    if (ch === '{') return this.object();
    if (ch === '[') return this.array();
    if (ch === '"') return this.string().value;
    if (ch === '-' || (ch >= '0' && ch <= '9')) return this.number();
    return this.literal();
  }

  private object(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.pos++; // {
    for (;;) {
      this.skipWhitespace();
      if (this.pos >= this.text.length) return out;
      const ch = this.text[this.pos]!;
      if (ch === '}') {
        this.pos++;
        return out;
      }
      if (ch === ',') {
        this.pos++;
        continue;
      }
      if (ch !== '"') throw new SyntaxError(`unexpected ${ch} in object`);
      const key = this.string();
      if (!key.complete) return out;
      this.skipWhitespace();
      if (this.pos >= this.text.length) return out;
      if (this.text[this.pos] !== ':') throw new SyntaxError('expected : after key');
      this.pos++;
      const value = this.value();
      if (value === INCOMPLETE) return out;
      out[key.value] = value;
    }
  }

  private array(): unknown[] {
    const out: unknown[] = [];
    this.pos++; // [
    for (;;) {
      this.skipWhitespace();
      if (this.pos >= this.text.length) return out;
      const ch = this.text[this.pos]!;
      if (ch === ']') {
        this.pos++;
        return out;
      }
      if (ch === ',') {
        this.pos++;
        continue;
      }
      const value = this.value();
      if (value === INCOMPLETE) return out;
      out.push(value);
    }
  }

  private string(): { value: string; complete: boolean } {
    this.pos++; // opening quote
    let out = '';
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos]!;
      if (ch === '"') {
        this.pos++;
        return { value: out, complete: true };
      }
      if (ch === '\\') {
        const escape = this.text[this.pos + 1];
        if (escape === undefined) break; // half-written escape: drop it
        if (escape === 'u') {
          const hex = this.text.slice(this.pos + 2, this.pos + 6);
          if (hex.length < 4) break;
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new SyntaxError('bad unicode escape');
          out += String.fromCharCode(parseInt(hex, 16));
          this.pos += 6;
          continue;
        }
        const simple = ESCAPES[escape];
        if (simple === undefined) throw new SyntaxError(`bad escape \\${escape}`);
        out += simple;
        this.pos += 2;
        continue;
      }
      out += ch;
      this.pos++;
    }
    this.pos = this.text.length;
    return { value: out, complete: false };
  }

  private number(): number | typeof INCOMPLETE {
    const match = /^-?\d*(?:\.\d*)?(?:[eE][+-]?\d*)?/.exec(this.text.slice(this.pos))!;
    this.pos += match[0].length;
    const complete = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(match[0]);
    if (!complete) {
      if (this.pos >= this.text.length) return INCOMPLETE;
      throw new SyntaxError(`bad number ${match[0]}`);
    }
    return Number(match[0]);
  }

  private literal(): boolean | null | typeof INCOMPLETE {
    for (const [word, value] of LITERALS) {
      const rest = this.text.slice(this.pos, this.pos + word.length);
      if (rest === word) {
        this.pos += word.length;
        return value;
      }
      if (this.pos + rest.length >= this.text.length && word.startsWith(rest)) {
        this.pos = this.text.length;
        return INCOMPLETE;
      }
    }
    throw new SyntaxError(`unexpected ${this.text[this.pos]}`);
  }

  private skipWhitespace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }
}

const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
const LITERALS: [string, boolean | null][] = [
  ['true', true],
  ['false', false],
  ['null', null],
];

export function parsePartialJson(text: string): unknown {
  const start = text.search(/[[{]/);
  if (start < 0) return undefined;
  try {
    const value = new PrefixParser(text.slice(start)).value();
    return value === INCOMPLETE ? undefined : value;
  } catch {
    return undefined;
  }
}
