/**
 * The one safe arithmetic evaluator of Conduit, shared by `conduit solve` (which re-does a model's
 * `calculate` steps) and the agents' `calculator` tool. A hand-written tokenizer and
 * recursive-descent parser that computes as it parses. No eval, no Function, no property access, no
 * variables beyond a fixed list of constants and functions: the only thing an expression can do is
 * compute a number, so `process.exit()` is an error, not a call. (expr-eval, the usual library for
 * this, is unmaintained and has a published code-execution advisory; mathjs is far bigger than needed.)
 *
 * Grammar, loosest binding first:
 *   expression := term (('+' | '-') term)*
 *   term       := unary (('*' | '/' | '%' | 'mod') unary | 'of' unary)*   '%' here is modulo; 'of' only after a percentage
 *   unary      := ('-' | '+') unary | power
 *   power      := postfix ('^' unary)?                     right-associative: 2^3^2 = 2^9
 *   postfix    := primary ('%')*                           '%' here is percent: 5% = 0.05
 *   primary    := number | constant | function '(' expression (',' expression)* ')' | '(' expression ')'
 *
 * Decisions, documented because a model's arithmetic makes them ambiguous:
 * - `%` is PERCENT when nothing that could start an operand follows it (`15% * 240`, `(1 + 5%)`,
 *   `50%`, `25% of 1200`), and MODULO when an operand follows (`10 % 3`, `7 % (2 + 2)`). Models write
 *   percentages far more often than remainders, and this rule reads both the way a person would.
 * - Unary minus binds looser than `^`, as in mathematics: `-2^2` is -4; `2^-1` is 0.5.
 * - `×`, `·` and `÷` mean `*` and `/`; `**` means `^`; the minus signs `−` and `–` mean `-`.
 * - Thousands separators are accepted only in the strict form `1,234,567` (groups of exactly three
 *   digits). Directly inside a function's argument list a comma separates arguments, and a number
 *   that looks grouped is refused as ambiguous (`max(1,200)`: write `max(1, 200)` or `max(1200)`);
 *   in plain parentheses it is a number (`max((1,200), 5)` is 1200). `$` before a number is
 *   ignored, so `$1,000 * 1.05` works.
 * - No implicit multiplication: `2(3)` and `2pi` are errors, not 6 and 6.28 — guessing would hide a
 *   model's mistake.
 * - Names are case-insensitive (`PI`, `Sqrt`). An overflow anywhere (not only in the final result)
 *   is an error, so `1 / 10^400` is refused instead of silently being 0.
 * - Length and nesting are bounded, so hostile input cannot take long or overflow the stack.
 */
import { CalculatorError } from './calculator-error.js';
import { formatCalculatorValue } from './format-value.js';

/** Longest expression accepted (a model's action or tool argument, not a program). */
export const MAX_EXPRESSION_LENGTH = 2000;
/** Deepest parenthesis/sign/exponent/argument nesting accepted. */
export const MAX_EXPRESSION_DEPTH = 64;

type Operator = '+' | '-' | '*' | '/' | '%' | '^';

type Token =
  | { type: 'number'; value: number; text: string; pos: number }
  | { type: 'name'; name: string; text: string; pos: number }
  | { type: 'op'; op: Operator; pos: number }
  | { type: 'paren'; open: boolean; pos: number }
  | { type: 'comma'; pos: number };

/** A parsed operand, and whether it is a bare percentage (only those may be followed by `of`). */
interface Operand {
  value: number;
  percent: boolean;
}

interface FunctionSpec {
  minArgs: number;
  maxArgs: number;
  apply(args: readonly number[]): number;
}

const CONSTANTS: Readonly<Record<string, number>> = { pi: Math.PI, e: Math.E, tau: 2 * Math.PI };

const FUNCTIONS: Readonly<Record<string, FunctionSpec>> = {
  sqrt: { minArgs: 1, maxArgs: 1, apply: ([x = NaN]) => squareRoot(x) },
  abs: { minArgs: 1, maxArgs: 1, apply: ([x = NaN]) => Math.abs(x) },
  round: { minArgs: 1, maxArgs: 2, apply: ([x = NaN, digits = 0]) => roundTo(x, digits) },
  floor: { minArgs: 1, maxArgs: 1, apply: ([x = NaN]) => Math.floor(x) },
  ceil: { minArgs: 1, maxArgs: 1, apply: ([x = NaN]) => Math.ceil(x) },
  min: { minArgs: 1, maxArgs: Infinity, apply: (xs) => Math.min(...xs) },
  max: { minArgs: 1, maxArgs: Infinity, apply: (xs) => Math.max(...xs) },
  /** log(x) is base 10; log(x, b) is base b. */
  log: { minArgs: 1, maxArgs: 2, apply: ([x = NaN, base = 10]) => logOf(x, base) },
  ln: { minArgs: 1, maxArgs: 1, apply: ([x = NaN]) => logOf(x, Math.E) },
  exp: { minArgs: 1, maxArgs: 1, apply: ([x = NaN]) => Math.exp(x) },
};

const FUNCTION_NAMES = Object.keys(FUNCTIONS).join(', ');
const CONSTANT_NAMES = Object.keys(CONSTANTS).join(', ');

/** Evaluates an arithmetic expression; throws CalculatorError for anything malformed or undefined (÷0, √-1, overflow). */
export function evaluateExpression(expression: string): number {
  if (expression.length > MAX_EXPRESSION_LENGTH) {
    throw new CalculatorError('calculator_too_long', `expression is longer than ${MAX_EXPRESSION_LENGTH} characters`);
  }
  const tokens = tokenize(expression);
  if (tokens.length === 0) throw new CalculatorError('calculator_syntax', 'empty expression');
  return new Parser(tokens).parseAll();
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

// ---------- tokenizer ----------

const THOUSANDS_NUMBER = /^\d{1,3}(?:,\d{3})+(?!\d)(?:\.\d+)?/;
const PLAIN_NUMBER = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/;
const NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

const OPERATOR_ALIASES: Readonly<Record<string, Operator>> = {
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

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  // One entry per open parenthesis: true when it opens a function's argument list, where a comma
  // separates arguments and so cannot also be a thousands separator.
  const parens: boolean[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input.charAt(i);
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const rest = input.slice(i);
    if (ch === '$' && /^\$\s*[\d.]/.test(rest)) {
      i++;
      continue;
    }
    const grouped = THOUSANDS_NUMBER.exec(rest);
    if (grouped !== null && parens.at(-1) === true) {
      // `max(1,200)` could be max(1, 200) or 1200: refuse rather than guess which the model meant.
      throw new CalculatorError(
        'calculator_syntax',
        `ambiguous '${grouped[0]}' at position ${i + 1} in a function's arguments: write the number without separators, or put a space after a comma between arguments`,
      );
    }
    const number = grouped ?? PLAIN_NUMBER.exec(rest);
    if (number !== null) {
      const text = number[0];
      tokens.push({ type: 'number', value: Number(text.replace(/,/g, '')), text, pos: i });
      i += text.length;
      continue;
    }
    const name = NAME.exec(rest);
    if (name !== null) {
      tokens.push({ type: 'name', name: name[0].toLowerCase(), text: name[0], pos: i });
      i += name[0].length;
      continue;
    }
    if (rest.startsWith('**')) {
      tokens.push({ type: 'op', op: '^', pos: i });
      i += 2;
      continue;
    }
    const op = OPERATOR_ALIASES[ch];
    if (op !== undefined) {
      tokens.push({ type: 'op', op, pos: i });
      i++;
      continue;
    }
    if (ch === '(' || ch === ')') {
      if (ch === '(') {
        const previous = tokens.at(-1);
        parens.push(previous?.type === 'name' && Object.hasOwn(FUNCTIONS, previous.name));
      } else parens.pop();
      tokens.push({ type: 'paren', open: ch === '(', pos: i });
      i++;
      continue;
    }
    if (ch === ',') {
      tokens.push({ type: 'comma', pos: i });
      i++;
      continue;
    }
    throw new CalculatorError(
      'calculator_syntax',
      `unexpected character '${ch}' at position ${i + 1}: only numbers, + - * / × ÷ ^ %, parentheses, the functions ${FUNCTION_NAMES} and the constants ${CONSTANT_NAMES} are allowed`,
    );
  }
  return tokens;
}

// ---------- parser and evaluator ----------

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  parseAll(): number {
    const value = this.expression();
    const extra = this.peek();
    if (extra !== undefined) {
      const hint = startsOperand(extra) ? " (there is no implicit multiplication: write '*')" : '';
      throw syntaxError(`unexpected ${describe(extra)} at position ${extra.pos + 1} after a complete expression${hint}`);
    }
    return value;
  }

  private expression(): number {
    let value = this.term();
    for (;;) {
      const t = this.peek();
      if (t?.type !== 'op' || (t.op !== '+' && t.op !== '-')) return value;
      this.pos++;
      const right = this.term();
      value = finite(t.op === '+' ? value + right : value - right);
    }
  }

  private term(): number {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      let value: number;
      if (t?.type === 'op' && (t.op === '*' || t.op === '/' || t.op === '%')) {
        // A '%' reaches here only when postfix() left it alone, i.e. an operand follows: modulo.
        this.pos++;
        value = applyProduct(t.op, left.value, this.unary().value);
      } else if (t?.type === 'name' && t.name === 'mod') {
        this.pos++;
        value = applyProduct('%', left.value, this.unary().value);
      } else if (t?.type === 'name' && t.name === 'of') {
        if (!left.percent) throw syntaxError(`'of' must follow a percentage, as in "25% of 1200" (position ${t.pos + 1})`);
        this.pos++;
        value = finite(left.value * this.unary().value);
      } else return left.value;
      left = { value, percent: false };
    }
  }

  private unary(): Operand {
    const t = this.peek();
    if (t?.type === 'op' && (t.op === '-' || t.op === '+')) {
      this.pos++;
      const operand = this.nested(() => this.unary());
      return t.op === '-' ? { value: -operand.value, percent: operand.percent } : operand;
    }
    return this.power();
  }

  private power(): Operand {
    const base = this.postfix();
    const t = this.peek();
    if (t?.type !== 'op' || t.op !== '^') return base;
    this.pos++;
    // The exponent is a unary: right-associative (2^3^2 = 2^9) and 2^-1 works.
    const exponent = this.nested(() => this.unary()).value;
    const value = base.value ** exponent;
    if (Number.isNaN(value)) {
      throw new CalculatorError('calculator_domain', `${formatCalculatorValue(base.value)}^${formatCalculatorValue(exponent)} is not a real number`);
    }
    return { value: finite(value), percent: false };
  }

  private postfix(): Operand {
    let operand: Operand = { value: this.primary(), percent: false };
    for (;;) {
      const t = this.peek();
      // Percent only when no operand follows; otherwise the '%' is modulo, handled by term().
      if (t?.type !== 'op' || t.op !== '%' || startsOperand(this.tokens[this.pos + 1])) return operand;
      this.pos++;
      operand = { value: operand.value / 100, percent: true };
    }
  }

  private primary(): number {
    const t = this.peek();
    if (t === undefined) throw syntaxError('the expression ends too early: it ends where a number was expected');
    this.pos++;
    if (t.type === 'number') {
      if (!Number.isFinite(t.value)) throw new CalculatorError('calculator_not_finite', `number out of range: ${t.text}`);
      return t.value;
    }
    if (t.type === 'name') return this.named(t);
    if (t.type === 'paren' && t.open) {
      const value = this.nested(() => this.expression());
      this.expectClose(t);
      return value;
    }
    throw syntaxError(`unexpected ${describe(t)} at position ${t.pos + 1} where a number was expected`);
  }

  /** A constant, or a function call with its arguments. */
  private named(t: Extract<Token, { type: 'name' }>): number {
    if (Object.hasOwn(CONSTANTS, t.name)) return CONSTANTS[t.name] ?? NaN;
    if (!Object.hasOwn(FUNCTIONS, t.name)) {
      throw syntaxError(`unknown name '${t.text}' at position ${t.pos + 1} (functions: ${FUNCTION_NAMES}; constants: ${CONSTANT_NAMES})`);
    }
    const fn = FUNCTIONS[t.name] as FunctionSpec;
    const open = this.peek();
    if (open?.type !== 'paren' || !open.open) throw syntaxError(`expected '(' after ${t.text} at position ${t.pos + 1}`);
    this.pos++;
    const args = [this.nested(() => this.expression())];
    while (this.peek()?.type === 'comma') {
      this.pos++;
      args.push(this.nested(() => this.expression()));
    }
    this.expectClose(open);
    if (args.length < fn.minArgs || args.length > fn.maxArgs) {
      const range = fn.maxArgs === Infinity ? `at least ${fn.minArgs}` : fn.minArgs === fn.maxArgs ? `${fn.minArgs}` : `${fn.minArgs} or ${fn.maxArgs}`;
      throw syntaxError(`${t.text} takes ${range} argument(s), got ${args.length}`);
    }
    return finite(fn.apply(args));
  }

  private expectClose(open: Token): void {
    const close = this.peek();
    if (close === undefined) throw syntaxError(`missing ')': expected ')' to close the '(' at position ${open.pos + 1}`);
    if (close.type !== 'paren' || close.open) {
      throw syntaxError(`expected ')' to close the '(' at position ${open.pos + 1} but found ${describe(close)} at position ${close.pos + 1}`);
    }
    this.pos++;
  }

  private nested<T>(fn: () => T): T {
    if (++this.depth > MAX_EXPRESSION_DEPTH) throw new CalculatorError('calculator_too_deep', `expression nested deeper than ${MAX_EXPRESSION_DEPTH} levels`);
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

function applyProduct(op: '*' | '/' | '%', left: number, right: number): number {
  if (op === '*') return finite(left * right);
  if (right === 0) throw new CalculatorError('calculator_division_by_zero', op === '/' ? 'division by zero' : 'modulo by zero');
  return finite(op === '/' ? left / right : left % right);
}

/** Every intermediate value must be finite: an overflow is refused where it happens. */
function finite(value: number): number {
  if (!Number.isFinite(value)) throw new CalculatorError('calculator_not_finite', 'the result is not a finite number (overflow)');
  return value;
}

function startsOperand(t: Token | undefined): boolean {
  if (t === undefined) return false;
  if (t.type === 'number') return true;
  if (t.type === 'name') return t.name !== 'of' && t.name !== 'mod';
  return t.type === 'paren' && t.open;
}

function describe(t: Token): string {
  switch (t.type) {
    case 'number':
      return `number ${t.text}`;
    case 'name':
      return `'${t.text}'`;
    case 'op':
      return `'${t.op}'`;
    case 'paren':
      return `'${t.open ? '(' : ')'}'`;
    case 'comma':
      return "','";
  }
}

function squareRoot(x: number): number {
  if (x < 0) throw new CalculatorError('calculator_domain', 'sqrt of a negative number');
  return Math.sqrt(x);
}

function logOf(x: number, base: number): number {
  if (x <= 0) throw new CalculatorError('calculator_domain', 'logarithm of a number that is not positive');
  if (base <= 0 || base === 1) throw new CalculatorError('calculator_domain', 'logarithm base must be positive and not 1');
  return base === Math.E ? Math.log(x) : base === 10 ? Math.log10(x) : Math.log(x) / Math.log(base);
}

function roundTo(x: number, digits: number): number {
  if (!Number.isInteger(digits) || digits < 0 || digits > 15) throw new CalculatorError('calculator_domain', 'round digits must be an integer from 0 to 15');
  const factor = 10 ** digits;
  return Math.round(x * factor) / factor;
}

function syntaxError(message: string): CalculatorError {
  return new CalculatorError('calculator_syntax', message);
}
