/**
 * Tree-of-thought as a real search (Yao et al. 2023, BFS variant with a beam): from each node on
 * the beam, one "propose" call asks for k candidate next steps; one "evaluate" call per candidate
 * scores it 1–10; the best b candidates of the level form the next beam; this repeats to
 * `maxDepth`. The search stops early when a candidate is judged a solution — its score is at least
 * `solutionScore`, or the evaluator's reply carries a `SOLUTION:` marker — or when the call or token
 * budget would be exceeded. Every explored node is returned with its parent, depth, thought and score.
 *
 * Calls are made one at a time, in a fixed order (beam order, then candidate order), so a search
 * against a scripted model is deterministic and the budget is checked before every call. Ties in
 * score keep the earlier-created node.
 */
import type { Message } from '../core/messages.js';
import type { CallOptions, LanguageModel, ModelRequest } from '../models/language-model.js';
import { SpendMeter, type Spend } from './spend.js';

export const TREE_OF_THOUGHT_DEFAULTS = { thoughtsPerNode: 3, beamWidth: 2, maxDepth: 3, solutionScore: 10 } as const;
export const SOLUTION_MARKER = 'SOLUTION:';

export interface TreeOfThoughtOptions {
  model: LanguageModel;
  problem: string;
  /** k: candidate thoughts proposed per expanded node (default 3). */
  thoughtsPerNode?: number;
  /** b: nodes kept per level (default 2). */
  beamWidth?: number;
  /** Levels of thoughts below the root (default 3). */
  maxDepth?: number;
  /** A candidate scoring at least this is a solution (default 10). */
  solutionScore?: number;
  /** Stop before a call that would exceed this many model calls. */
  maxCalls?: number;
  /** Stop once this many tokens (input + output, all calls) have been spent. */
  maxTokens?: number;
  /** Temperature for the propose calls (default: provider default); evaluate calls use 0. */
  temperature?: number;
  callOptions?: CallOptions;
}

export interface ThoughtNode {
  /** 0 is the root (the problem itself); children are numbered in creation order. */
  id: number;
  parentId: number | null;
  depth: number;
  /** The step this node adds ('' for the root). */
  thought: string;
  /** 0–10; 0 when the evaluator's reply held no usable score (see `note`). The root has none. */
  score: number | null;
  isSolution: boolean;
  /** The final answer the evaluator gave after `SOLUTION:`, when it gave one. */
  solutionText?: string;
  /** Why a score is 0 or a node was not expanded, when something was off. */
  note?: string;
}

export type TreeOfThoughtStopReason = 'solution' | 'max-depth' | 'budget' | 'no-candidates';

export interface TreeOfThoughtResult extends Spend {
  /** Root → best node. */
  bestPath: ThoughtNode[];
  /** The node judged a solution, if the search found one. */
  solution?: ThoughtNode;
  /** Every explored node, in creation order. */
  tree: ThoughtNode[];
  stopReason: TreeOfThoughtStopReason;
}

export async function treeOfThought(options: TreeOfThoughtOptions): Promise<TreeOfThoughtResult> {
  const k = positiveInt('thoughtsPerNode', options.thoughtsPerNode ?? TREE_OF_THOUGHT_DEFAULTS.thoughtsPerNode);
  const b = positiveInt('beamWidth', options.beamWidth ?? TREE_OF_THOUGHT_DEFAULTS.beamWidth);
  const maxDepth = positiveInt('maxDepth', options.maxDepth ?? TREE_OF_THOUGHT_DEFAULTS.maxDepth);
  const solutionScore = options.solutionScore ?? TREE_OF_THOUGHT_DEFAULTS.solutionScore;
  const spend = new SpendMeter();
  const root: ThoughtNode = { id: 0, parentId: null, depth: 0, thought: '', score: null, isSolution: false };
  const tree: ThoughtNode[] = [root];
  const byId = new Map<number, ThoughtNode>([[0, root]]);

  const budgetLeft = (): boolean =>
    (options.maxCalls === undefined || spend.calls < options.maxCalls) && (options.maxTokens === undefined || spend.totalTokens < options.maxTokens);
  const call = async (messages: Message[], temperature: number | undefined): Promise<string> => {
    const request: ModelRequest = { messages };
    if (temperature !== undefined) request.temperature = temperature;
    const result = await options.model.generate(request, options.callOptions);
    spend.record(result);
    return result.text;
  };
  const pathOf = (node: ThoughtNode): ThoughtNode[] => {
    const path: ThoughtNode[] = [];
    for (let n: ThoughtNode | undefined = node; n; n = n.parentId === null ? undefined : byId.get(n.parentId)) path.unshift(n);
    return path;
  };
  const finish = (stopReason: TreeOfThoughtStopReason, best: ThoughtNode, solution?: ThoughtNode): TreeOfThoughtResult => ({
    bestPath: pathOf(best),
    ...(solution ? { solution } : {}),
    tree,
    stopReason,
    ...spend.snapshot(),
  });

  let beam: ThoughtNode[] = [root];
  let best: ThoughtNode = root;
  for (let depth = 1; depth <= maxDepth; depth++) {
    const level: ThoughtNode[] = [];
    for (const parent of beam) {
      if (!budgetLeft()) return finish('budget', bestOf(level) ?? best);
      const steps = pathOf(parent).slice(1).map((n) => n.thought);
      const proposed = parseThoughts(await call(proposeMessages(options.problem, steps, k), options.temperature), k);
      if (proposed.length === 0) parent.note = 'the propose call returned no parseable thoughts';
      for (const thought of proposed) {
        if (!budgetLeft()) return finish('budget', bestOf(level) ?? best);
        const evaluation = parseScore(await call(evaluateMessages(options.problem, steps, thought), 0));
        const node: ThoughtNode = { id: tree.length, parentId: parent.id, depth, thought, score: evaluation.score, isSolution: false };
        if (evaluation.note) node.note = evaluation.note;
        if (evaluation.solutionText !== undefined) node.solutionText = evaluation.solutionText;
        node.isSolution = evaluation.solutionText !== undefined || evaluation.score >= solutionScore;
        tree.push(node);
        byId.set(node.id, node);
        level.push(node);
        if (node.isSolution) return finish('solution', node, node);
      }
    }
    if (level.length === 0) return finish('no-candidates', best);
    // Stable sort: equal scores keep creation order.
    beam = [...level].sort((x, y) => (y.score ?? 0) - (x.score ?? 0)).slice(0, b);
    best = beam[0] ?? best;
  }
  return finish('max-depth', best);
}

function bestOf(nodes: readonly ThoughtNode[]): ThoughtNode | undefined {
  let best: ThoughtNode | undefined;
  for (const node of nodes) if (best === undefined || (node.score ?? 0) > (best.score ?? 0)) best = node;
  return best;
}

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`treeOfThought: ${name} must be a positive integer, got ${value}`);
  return value;
}

// ---------- prompts ----------

function stepsBlock(steps: readonly string[]): string {
  return steps.length === 0 ? 'Steps so far: (none yet)' : `Steps so far:\n${steps.map((s, i) => `${i + 1}. ${s}`).join('\n')}`;
}

export function proposeMessages(problem: string, steps: readonly string[], k: number): Message[] {
  return [
    {
      role: 'system',
      content:
        `You explore solutions one step at a time. Propose ${k} different possible next steps for the partial solution below. ` +
        `Write each as one line starting with its number ("1. ", "2. ", …) and nothing else. A step that completes the solution should state the final answer.`,
    },
    { role: 'user', content: `Problem: ${problem}\n${stepsBlock(steps)}\nPropose ${k} next steps.` },
  ];
}

export function evaluateMessages(problem: string, steps: readonly string[], candidate: string): Message[] {
  return [
    {
      role: 'system',
      content:
        'You judge a candidate next step of a partial solution. Rate how likely it leads to a correct solution on a 1–10 scale. ' +
        `Reply with "Score: <1-10>" and one sentence of justification. If the step fully and correctly solves the problem, add a line "${SOLUTION_MARKER} <final answer>".`,
    },
    { role: 'user', content: `Problem: ${problem}\n${stepsBlock(steps)}\nCandidate step: ${candidate}` },
  ];
}

// ---------- parsing ----------

/** Numbered or bulleted lines ("1. …", "2) …", "- …", "Thought 3: …"); else non-empty lines. First k, de-duplicated. */
export function parseThoughts(text: string, k: number): string[] {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const item = /^(?:(?:thought|step|option)\s*\d+\s*[:.)-]|\d+\s*[.):]|[-*•])\s*(.+)$/i;
  const listed = lines.flatMap((l) => {
    const m = item.exec(l);
    return m?.[1] !== undefined ? [m[1].trim()] : [];
  });
  const chosen = listed.length > 0 ? listed : lines;
  return [...new Set(chosen.map((t) => t.replace(/^\*\*|\*\*$/g, '').trim()).filter((t) => t !== ''))].slice(0, k);
}

export interface ParsedScore {
  /** 0–10; 0 when no score could be read. */
  score: number;
  solutionText?: string;
  note?: string;
}

/**
 * Reads the evaluator's score: "Score: 7", "score = 7.5", "7/10", or a reply that starts with a
 * number. Out-of-range or missing scores become 0 with a note rather than failing the search.
 */
export function parseScore(text: string): ParsedScore {
  const parsed: ParsedScore = { score: 0 };
  // A "SOLUTION: no" / "SOLUTION: none" line is an evaluator saying it is not one.
  const solution = /SOLUTION:[ \t]*(.*)/.exec(text);
  const solutionText = (solution?.[1] ?? '').trim();
  if (solution && !/^(?:no|none|n\/a|not yet)\b/i.test(solutionText)) parsed.solutionText = solutionText;
  const candidates = [/score\s*(?:[:=]|is|of)?\s*\**\s*(\d+(?:\.\d+)?)/i, /(\d+(?:\.\d+)?)\s*\/\s*10\b/, /^\s*\**\s*(\d+(?:\.\d+)?)\b/];
  for (const pattern of candidates) {
    const m = pattern.exec(text);
    if (m?.[1] === undefined) continue;
    const value = Number(m[1]);
    if (value >= 0 && value <= 10) {
      parsed.score = value;
      return parsed;
    }
    parsed.note = `score ${m[1]} is outside 1–10; scored 0`;
    return parsed;
  }
  parsed.note = `unparseable score in evaluator reply: ${JSON.stringify(text.slice(0, 80))}; scored 0`;
  return parsed;
}
