/**
 * A unified line diff (the `diff -u` shape) from a longest-common-subsequence table. Prompts are
 * short, so the O(n·m) table (after trimming the common head and tail) costs nothing, and an exact
 * LCS gives the minimal diff without pulling in a dependency.
 */

export type DiffOp = { op: 'equal' | 'delete' | 'insert'; line: string };

export function diffLines(before: string, after: string): DiffOp[] {
  const a = splitLines(before);
  const b = splitLines(after);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);

  const n = midA.length;
  const m = midB.length;
  // lcs[i][j] = LCS length of midA[i..] and midB[j..], flattened.
  const lcs = new Uint32Array((n + 1) * (m + 1));
  const at = (i: number, j: number): number => lcs[i * (m + 1) + j] ?? 0;
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * (m + 1) + j] = midA[i] === midB[j] ? at(i + 1, j + 1) + 1 : Math.max(at(i + 1, j), at(i, j + 1));
    }
  }
  const ops: DiffOp[] = a.slice(0, head).map((line) => ({ op: 'equal', line }));
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && midA[i] === midB[j]) {
      ops.push({ op: 'equal', line: midA[i] as string });
      i++;
      j++;
    } else if (i < n && (j === m || at(i + 1, j) >= at(i, j + 1))) {
      // On ties consume `a` first, so a change prints its deletions before its insertions, as `diff -u` does.
      ops.push({ op: 'delete', line: midA[i] as string });
      i++;
    } else {
      ops.push({ op: 'insert', line: midB[j] as string });
      j++;
    }
  }
  for (const line of a.slice(a.length - tail)) ops.push({ op: 'equal', line });
  return ops;
}

export interface UnifiedDiffOptions {
  fromLabel?: string;
  toLabel?: string;
  /** Unchanged lines shown around each change. Default 3. */
  context?: number;
}

/** `--- a` / `+++ b` headers and `@@ -l,s +l,s @@` hunks; the empty string when the texts are equal. */
export function unifiedDiff(before: string, after: string, options: UnifiedDiffOptions = {}): string {
  const ops = diffLines(before, after);
  if (ops.every((o) => o.op === 'equal')) return '';
  const context = options.context ?? 3;
  const out = [`--- ${options.fromLabel ?? 'a'}`, `+++ ${options.toLabel ?? 'b'}`];

  // Line numbers before each op, so any hunk can report where it starts.
  const posA: number[] = [];
  const posB: number[] = [];
  let la = 0;
  let lb = 0;
  for (const o of ops) {
    posA.push(la);
    posB.push(lb);
    if (o.op !== 'insert') la++;
    if (o.op !== 'delete') lb++;
  }

  let k = 0;
  while (k < ops.length) {
    while (k < ops.length && ops[k]?.op === 'equal') k++;
    if (k >= ops.length) break;
    const start = Math.max(0, k - context);
    // Extend the hunk while the next change is within 2×context unchanged lines.
    let end = k;
    let lastChange = k;
    while (end < ops.length) {
      if (ops[end]?.op !== 'equal') lastChange = end;
      else if (end - lastChange > 2 * context) break;
      end++;
    }
    const stop = Math.min(ops.length, lastChange + context + 1);
    const hunk = ops.slice(start, stop);
    const countA = hunk.filter((o) => o.op !== 'insert').length;
    const countB = hunk.filter((o) => o.op !== 'delete').length;
    const startA = (posA[start] ?? 0) + (countA === 0 ? 0 : 1);
    const startB = (posB[start] ?? 0) + (countB === 0 ? 0 : 1);
    out.push(`@@ -${startA},${countA} +${startB},${countB} @@`);
    for (const o of hunk) out.push(`${o.op === 'equal' ? ' ' : o.op === 'delete' ? '-' : '+'}${o.line}`);
    k = stop;
  }
  return out.join('\n') + '\n';
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  // A trailing newline ends the last line rather than starting an empty one.
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
