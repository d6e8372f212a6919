/**
 * A small, safe arithmetic language for the calculator tool: a hand-written tokenizer and Pratt
 * parser that builds a tree and evaluates it over plain numbers. No eval, no Function, no property
 * access, no variables beyond a fixed list of constants and functions — the only thing an
 * expression can do is compute a number. (expr-eval, the usual library for this, is unmaintained
 * and has a published prototype-pollution/code-execution advisory; mathjs is far bigger than needed.)
 *
 * Grammar, loosest binding first:
 *   expr    := term (('+' | '-') term)*
 *   term    := unary (('*' | '/' | '%' (modulo) | 'of' (after a percent)) unary)*
 *   unary   := ('-' | '+') unary | power
 *   power   := postfix ('^' unary)?          right associative, binds tighter than unary minus on its left: -2^2 = -4
 *   postfix := primary '%'*                   percent: 25% = 0.25, so "25% of 1200" = 300
 *   primary := number | constant | function '(' expr (',' expr)* ')' | '(' expr ')'
 * Numbers may use thousands separators outside parentheses ("1,200") and exponents ("1e3").
 */
import { ConduitError } from '../../../core/errors.js';

type Token =
  | { kind: 'number'; value: number; pos: number }
  | { kind: 'ident'; name: string; pos: number }
  | { kind: 'op'; op: '+' | '-' | '*' | '/' | '^' | '%' | '(' | ')' | ','; pos: number };

type Node =
  | { type: 'num'; value: number }
  | { type: 'neg'; operand: Node }
  | { type: 'percent'; operand: Node }
  | { type: 'bin'; op: '+' | '-' | '*' | '/' | '^' | 'mod' | 'of'; left: Node; right: Node }
  | { type: 'call'; name: string; args: Node[] };

const MAX_LENGTH = 2000;
const MAX_DEPTH = 64;

const CONSTANTS: Readonly<Record<string, number>> = { pi: Math.PI, e: Math.E, tau: 2 * Math.PI };

interface FunctionSpec {
  minArgs: number;
  maxArgs: number;
  apply(args: number[]): number;
}

const FUNCTIONS: Readonly<Record<string, FunctionSpec>> = {
  sqrt: { minArgs: 1, maxArgs: 1, apply: ([x]) => requireNonNegative('sqrt', x!) },
  abs: { minArgs: 1, maxArgs: 1, apply: ([x]) => Math.abs(x!) },
  round: { minArgs: 1, maxArgs: 2, apply: ([x, digits]) => roundTo(x!, digits ?? 0) },
  floor: { minArgs: 1, maxArgs: 1, apply: ([x]) => Math.floor(x!) },
  ceil: { minArgs: 1, maxArgs: 1, apply: ([x]) => Math.ceil(x!) },
  min: { minArgs: 1, maxArgs: Infinity, apply: (xs) => Math.min(...xs) },
  max: { minArgs: 1, maxArgs: Infinity, apply: (xs) => Math.max(...xs) },
  /** log(x) is base 10; log(x, b) is base b. */
  log: { minArgs: 1, maxArgs: 2, apply: ([x, base]) => logOf(x!, base ?? 10) },
  ln: { minArgs: 1, maxArgs: 1, apply: ([x]) => logOf(x!, Math.E) },
  exp: { minArgs: 1, maxArgs: 1, apply: ([x]) => Math.exp(x!) },
};

/** Parses and evaluates `source`; throws ConduitError('invalid_request') describing the first problem. */
export function evaluateExpression(source: string): number {
  if (source.length > MAX_LENGTH) throw syntaxError(`expression is longer than ${MAX_LENGTH} characters`);
  const tree = new Parser(tokenize(source)).parseAll();
  const value = evaluate(tree);
  if (!Number.isFinite(value)) throw new ConduitError('invalid_request', 'the result is not a finite number', { code: 'calculator_not_finite' });
  return value;
}

/** A number as the calculator prints it: at most 12 significant digits, so 0.1 + 0.2 reads 0.3. */
export function formatNumber(value: number): string {
  const rounded = Number(value.toPrecision(12));
  return Object.is(rounded, -0) ? '0' : String(rounded);
}

// ---------- tokenizer ----------

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let depth = 0;
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const number = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(source.slice(i));
    if (number) {
      let text = number[0];
      let end = i + text.length;
      // Thousands separators ("1,200,000") only outside parentheses, where a comma means nothing else.
      if (depth === 0 && /^\d+$/.test(text)) {
        const grouped = /^(?:,\d{3})+(?!\d)/.exec(source.slice(end));
        if (grouped && text.length <= 3) {
          text += grouped[0].replaceAll(',', '');
          end += grouped[0].length;
          const fraction = /^\.\d+/.exec(source.slice(end));
          if (fraction) {
            text += fraction[0];
            end += fraction[0].length;
          }
        }
      }
      tokens.push({ kind: 'number', value: Number(text), pos: i });
      i = end;
      continue;
    }
    const ident = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(source.slice(i));
    if (ident) {
      tokens.push({ kind: 'ident', name: ident[0].toLowerCase(), pos: i });
      i += ident[0].length;
      continue;
    }
    if (source.startsWith('**', i)) {
      tokens.push({ kind: 'op', op: '^', pos: i });
      i += 2;
      continue;
    }
    const op = OPERATOR_CHARS[ch];
    if (op === undefined) throw syntaxError(`unexpected character '${ch}' at position ${i + 1}`);
    if (op === '(') depth++;
    if (op === ')') depth = Math.max(0, depth - 1);
    tokens.push({ kind: 'op', op, pos: i });
    i++;
  }
  return tokens;
}

const OPERATOR_CHARS: Readonly<Record<string, Extract<Token, { kind: 'op' }>['op']>> = {
  '+': '+',
  '-': '-',
  '−': '-',
  '*': '*',
  '×': '*',
  '·': '*',
  '/': '/',
  '÷': '/',
  '^': '^',
  '%': '%',
  '(': '(',
  ')': ')',
  ',': ',',
};

// ---------- parser ----------

class Parser {
  private index = 0;
  private depth = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  parseAll(): Node {
    if (this.tokens.length === 0) throw syntaxError('the expression is empty');
    const node = this.expression();
    const extra = this.peek();
    if (extra !== undefined) throw syntaxError(`unexpected ${describe(extra)} at position ${extra.pos + 1}`);
    return node;
  }

  private expression(): Node {
    this.enter();
    let left = this.term();
    for (;;) {
      const t = this.peek();
      if (t?.kind === 'op' && (t.op === '+' || t.op === '-')) {
        this.index++;
        left = { type: 'bin', op: t.op, left, right: this.term() };
      } else break;
    }
    this.depth--;
    return left;
  }

  private term(): Node {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      if (t?.kind === 'op' && (t.op === '*' || t.op === '/')) {
        this.index++;
        left = { type: 'bin', op: t.op, left, right: this.unary() };
      } else if (t?.kind === 'op' && t.op === '%') {
        // Reached only when postfix() left the '%' alone, i.e. an operand follows: modulo.
        this.index++;
        left = { type: 'bin', op: 'mod', left, right: this.unary() };
      } else if (t?.kind === 'ident' && t.name === 'of') {
        if (left.type !== 'percent') throw syntaxError(`'of' must follow a percentage, as in "25% of 1200" (position ${t.pos + 1})`);
        this.index++;
        left = { type: 'bin', op: 'of', left, right: this.unary() };
      } else if (t?.kind === 'ident' && t.name === 'mod') {
        this.index++;
        left = { type: 'bin', op: 'mod', left, right: this.unary() };
      } else break;
    }
    return left;
  }

  private unary(): Node {
    const t = this.peek();
    if (t?.kind === 'op' && (t.op === '-' || t.op === '+')) {
      this.index++;
      this.enter();
      const operand = this.unary();
      this.depth--;
      return t.op === '-' ? { type: 'neg', operand } : operand;
    }
    return this.power();
  }

  private power(): Node {
    const base = this.postfix();
    const t = this.peek();
    if (t?.kind === 'op' && t.op === '^') {
      this.index++;
      this.enter();
      const exponent = this.unary();
      this.depth--;
      return { type: 'bin', op: '^', left: base, right: exponent };
    }
    return base;
  }

  private postfix(): Node {
    let node = this.primary();
    for (;;) {
      const t = this.peek();
      if (t?.kind !== 'op' || t.op !== '%') break;
      // "a % b" with an operand after it is modulo (handled by term); otherwise it is a percent sign.
      if (startsOperand(this.tokens[this.index + 1])) break;
      this.index++;
      node = { type: 'percent', operand: node };
    }
    return node;
  }

  private primary(): Node {
    const t = this.next();
    if (t === undefined) throw syntaxError('the expression ends too early');
    if (t.kind === 'number') return { type: 'num', value: t.value };
    if (t.kind === 'ident') {
      const fn = FUNCTIONS[t.name];
      if (fn !== undefined && Object.hasOwn(FUNCTIONS, t.name)) {
        this.expect('(', `'(' after ${t.name}`);
        const args: Node[] = [this.expression()];
        while (this.peekOp(',')) {
          this.index++;
          args.push(this.expression());
        }
        this.expect(')', `')' to close ${t.name}(`);
        if (args.length < fn.minArgs || args.length > fn.maxArgs) {
          const range = fn.maxArgs === Infinity ? `at least ${fn.minArgs}` : fn.minArgs === fn.maxArgs ? `${fn.minArgs}` : `${fn.minArgs} or ${fn.maxArgs}`;
          throw syntaxError(`${t.name} takes ${range} argument(s), got ${args.length}`);
        }
        return { type: 'call', name: t.name, args };
      }
      if (Object.hasOwn(CONSTANTS, t.name)) return { type: 'num', value: CONSTANTS[t.name]! };
      throw syntaxError(`unknown name '${t.name}' at position ${t.pos + 1} (functions: ${Object.keys(FUNCTIONS).join(', ')}; constants: ${Object.keys(CONSTANTS).join(', ')})`);
    }
    if (t.op === '(') {
      const inner = this.expression();
      this.expect(')', "')'");
      return inner;
    }
    throw syntaxError(`unexpected ${describe(t)} at position ${t.pos + 1}`);
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) throw syntaxError(`the expression nests deeper than ${MAX_DEPTH} levels`);
  }

  private expect(op: ')' | '(', what: string): void {
    const t = this.next();
    if (t?.kind !== 'op' || t.op !== op) throw syntaxError(`expected ${what}${t === undefined ? ' before the end' : ` at position ${t.pos + 1}`}`);
  }

  private peekOp(op: string): boolean {
    const t = this.peek();
    return t?.kind === 'op' && t.op === op;
  }

  private peek(): Token | undefined {
    return this.tokens[this.index];
  }

  private next(): Token | undefined {
    return this.tokens[this.index++];
  }
}

function startsOperand(t: Token | undefined): boolean {
  if (t === undefined) return false;
  if (t.kind === 'number') return true;
  if (t.kind === 'ident') return t.name !== 'of' && t.name !== 'mod';
  return t.op === '(';
}

function describe(t: Token): string {
  if (t.kind === 'number') return `number ${t.value}`;
  if (t.kind === 'ident') return `'${t.name}'`;
  return `'${t.op}'`;
}

// ---------- evaluation ----------

function evaluate(node: Node): number {
  switch (node.type) {
    case 'num':
      return node.value;
    case 'neg':
      return -evaluate(node.operand);
    case 'percent':
      return evaluate(node.operand) / 100;
    case 'call': {
      const args = node.args.map(evaluate);
      return FUNCTIONS[node.name]!.apply(args);
    }
    case 'bin': {
      const a = evaluate(node.left);
      const b = evaluate(node.right);
      switch (node.op) {
        case '+':
          return a + b;
        case '-':
          return a - b;
        case '*':
        case 'of':
          return a * b;
        case '/':
          if (b === 0) throw new ConduitError('invalid_request', 'division by zero', { code: 'calculator_division_by_zero' });
          return a / b;
        case 'mod':
          if (b === 0) throw new ConduitError('invalid_request', 'modulo by zero', { code: 'calculator_division_by_zero' });
          return a % b;
        case '^':
          return a ** b;
      }
    }
  }
}

function requireNonNegative(name: string, x: number): number {
  if (x < 0) throw new ConduitError('invalid_request', `${name} of a negative number`, { code: 'calculator_domain' });
  return Math.sqrt(x);
}

function logOf(x: number, base: number): number {
  if (x <= 0) throw new ConduitError('invalid_request', 'logarithm of a number that is not positive', { code: 'calculator_domain' });
  if (base <= 0 || base === 1) throw new ConduitError('invalid_request', 'logarithm base must be positive and not 1', { code: 'calculator_domain' });
  return base === Math.E ? Math.log(x) : base === 10 ? Math.log10(x) : Math.log(x) / Math.log(base);
}

function roundTo(x: number, digits: number): number {
  if (!Number.isInteger(digits) || digits < 0 || digits > 15) throw new ConduitError('invalid_request', 'round digits must be an integer from 0 to 15', { code: 'calculator_domain' });
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function syntaxError(message: string): ConduitError {
  return new ConduitError('invalid_request', `Cannot evaluate the expression: ${message}`, { code: 'calculator_syntax' });
}
