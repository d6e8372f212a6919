/**
 * The calculator tool of `conduit solve`: a small recursive-descent parser and evaluator for
 * arithmetic. It never uses eval or Function — anything that is not a number, an operator or a
 * parenthesis is rejected as invalid input, so `process.exit()` is an error, not a call.
 *
 * Grammar (lowest precedence first):
 *   expression := term (('+' | '-') term)*
 *   term       := unary (('*' | '/' | '%') unary)*        '%' here is modulo
 *   unary      := ('-' | '+') unary | power
 *   power      := postfix ('^' unary)?                       right-associative: 2^3^2 = 2^9
 *   postfix    := primary ('%')*                             '%' here is percent: 5% = 0.05
 *   primary    := number | '(' expression ')'
 *
 * Decisions, documented because word problems make them ambiguous:
 * - `%` is PERCENT when nothing that could start an operand follows it (`15% * 240`, `(1 + 5%)`,
 *   `50%`), and MODULO when an operand follows (`10 % 3`, `7 % (2 + 2)`). The model writes
 *   percentages far more often than remainders, and this rule reads both the way a person would.
 * - Unary minus binds looser than `^`, as in mathematics: `-2^2` is -4; `2^-1` is 0.5.
 * - `×`, `·` and `÷` mean `*` and `/`; `**` means `^`; the Unicode minus `−` means `-`.
 * - Thousands separators are accepted only in the strict form `1,234,567` (groups of exactly three
 *   digits), and `$` before a number is ignored, so `$1,000 * 1.05` works. There are no function
 *   calls, so a comma can mean nothing else.
 * - No implicit multiplication: `2(3)` is an error, not 6 — guessing would hide a model's mistake.
 */

export class CalculatorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CalculatorError';
  }
}

/** Longest expression accepted (a model's action, not a program). */
export const MAX_EXPRESSION_LENGTH = 500;
/** Deepest parenthesis/unary nesting accepted, so hostile input cannot overflow the stack. */
const MAX_DEPTH = 64;

type Token = { type: 'number'; value: number; text: string } | { type: 'op'; op: '+' | '-' | '*' | '/' | '%' | '^' } | { type: 'paren'; open: boolean };

/** Evaluates an arithmetic expression; throws CalculatorError for anything malformed or undefined (÷0). */
export function evaluateExpression(expression: string): number {
  if (expression.length > MAX_EXPRESSION_LENGTH) throw new CalculatorError(`expression is longer than ${MAX_EXPRESSION_LENGTH} characters`);
  const tokens = tokenize(expression);
  if (tokens.length === 0) throw new CalculatorError('empty expression');
  const value = new Parser(tokens).parseAll();
  if (!Number.isFinite(value)) throw new CalculatorError('the result is not a finite number (overflow)');
  return value;
}

/** Same as evaluateExpression, as a result instead of an exception. */
export function tryEvaluate(expression: string): { ok: true; value: number } | { ok: false; error: string } {
  try {
    return { ok: true, value: evaluateExpression(expression) };
  } catch (err) {
    if (err instanceof CalculatorError) return { ok: false, error: err.message };
    throw err;
  }
}

/** A result as people read it: at most 10 decimals, no trailing zeros, no exponent for everyday sizes. */
export function formatCalculatorValue(value: number): string {
  if (Object.is(value, -0)) return '0';
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return String(value);
  const rounded = Number(value.toFixed(10));
  if (rounded !== 0 && Math.abs(rounded) >= 1e-6 && Math.abs(rounded) < 1e21) return String(rounded);
  return String(Number(value.toPrecision(12)));
}

const THOUSANDS_NUMBER = /^\d{1,3}(?:,\d{3})+(?:\.\d+)?/;
const PLAIN_NUMBER = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/;

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const rest = input.slice(i);
    if (ch === '$' && /^\$\s*[\d.]/.test(rest)) {
      i++;
      continue;
    }
    const number = THOUSANDS_NUMBER.exec(rest) ?? PLAIN_NUMBER.exec(rest);
    if (number !== null) {
      const text = number[0];
      tokens.push({ type: 'number', value: Number(text.replace(/,/g, '')), text });
      i += text.length;
      continue;
    }
    if (rest.startsWith('**')) {
      tokens.push({ type: 'op', op: '^' });
      i += 2;
      continue;
    }
    const op = OPERATOR_ALIASES[ch];
    if (op !== undefined) {
      tokens.push({ type: 'op', op });
      i++;
      continue;
    }
    if (ch === '(' || ch === ')') {
      tokens.push({ type: 'paren', open: ch === '(' });
      i++;
      continue;
    }
    throw new CalculatorError(`unexpected character '${ch}' at position ${i + 1}: only numbers, + - * / × ÷ ^ %, and parentheses are allowed`);
  }
  return tokens;
}

const OPERATOR_ALIASES: Record<string, '+' | '-' | '*' | '/' | '%' | '^'> = {
  '+': '+',
  '-': '-',
  '−': '-',
  '–': '-',
  '*': '*',
  '×': '*',
  '·': '*',
  '/': '/',
  '÷': '/',
  '%': '%',
  '^': '^',
};

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[]) {}

  parseAll(): number {
    const value = this.expression();
    const extra = this.tokens[this.pos];
    if (extra !== undefined) throw new CalculatorError(`unexpected ${describe(extra)} after a complete expression`);
    return value;
  }

  private expression(): number {
    let value = this.term();
    for (;;) {
      const t = this.peek();
      if (t?.type === 'op' && (t.op === '+' || t.op === '-')) {
        this.pos++;
        const right = this.term();
        value = t.op === '+' ? value + right : value - right;
      } else return value;
    }
  }

  private term(): number {
    let value = this.unary();
    for (;;) {
      const t = this.peek();
      if (t?.type !== 'op' || (t.op !== '*' && t.op !== '/' && t.op !== '%')) return value;
      this.pos++;
      const right = this.unary();
      if ((t.op === '/' || t.op === '%') && right === 0) throw new CalculatorError(t.op === '/' ? 'division by zero' : 'modulo by zero');
      value = t.op === '*' ? value * right : t.op === '/' ? value / right : value % right;
    }
  }

  private unary(): number {
    const t = this.peek();
    if (t?.type === 'op' && (t.op === '-' || t.op === '+')) {
      this.pos++;
      const operand = this.nested(() => this.unary());
      return t.op === '-' ? -operand : operand;
    }
    return this.power();
  }

  private power(): number {
    const base = this.postfix();
    const t = this.peek();
    if (t?.type === 'op' && t.op === '^') {
      this.pos++;
      // The exponent is a unary: right-associative (2^3^2 = 2^9) and 2^-1 works.
      const exponent = this.nested(() => this.unary());
      const value = base ** exponent;
      if (Number.isNaN(value)) throw new CalculatorError(`${formatCalculatorValue(base)}^${formatCalculatorValue(exponent)} is not a real number`);
      return value;
    }
    return base;
  }

  private postfix(): number {
    let value = this.primary();
    for (;;) {
      const t = this.peek();
      // Percent only when no operand follows; otherwise the `%` is modulo, handled by term().
      if (t?.type === 'op' && t.op === '%' && !startsOperand(this.tokens[this.pos + 1])) {
        this.pos++;
        value = value / 100;
      } else return value;
    }
  }

  private primary(): number {
    const t = this.tokens[this.pos];
    if (t === undefined) throw new CalculatorError('the expression ends where a number was expected');
    if (t.type === 'number') {
      this.pos++;
      if (!Number.isFinite(t.value)) throw new CalculatorError(`number out of range: ${t.text}`);
      return t.value;
    }
    if (t.type === 'paren' && t.open) {
      this.pos++;
      const value = this.nested(() => this.expression());
      const close = this.tokens[this.pos];
      if (close?.type !== 'paren' || close.open) throw new CalculatorError(close === undefined ? "missing ')'" : `expected ')' but found ${describe(close)}`);
      this.pos++;
      return value;
    }
    throw new CalculatorError(`expected a number or '(' but found ${describe(t)}`);
  }

  private nested(fn: () => number): number {
    if (++this.depth > MAX_DEPTH) throw new CalculatorError(`expression nested deeper than ${MAX_DEPTH} levels`);
    try {
      return fn();
    } finally {
      this.depth--;
    }
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }
}

function startsOperand(t: Token | undefined): boolean {
  if (t === undefined) return false;
  return t.type === 'number' || (t.type === 'paren' && t.open);
}

function describe(t: Token): string {
  if (t.type === 'number') return `number ${t.text}`;
  if (t.type === 'op') return `'${t.op}'`;
  return `'${t.open ? '(' : ')'}'`;
}
