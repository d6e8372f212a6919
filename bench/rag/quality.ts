/**
 * RAG retrieval quality (issue 5) on the labelled Node.js API set (bench/rag/datasets/node-docs):
 * ingests its 24 Markdown files with the embedded defaults (embedded persisted store, recursive
 * 512-token chunks, USE-lite embeddings) and scores vector, keyword and hybrid retrieval (plus the
 * configured default strategy and fusion variants) on its 49 hand-written questions: recall@k,
 * precision@k, MRR and nDCG@10 at document level. Checks the rule: hybrid is never worse
 * than the best single retriever.
 *
 *   npx tsx bench/rag/quality.ts [--k 5] [--strategies vector,keyword,hybrid,mmr] [--variants] [--subset=odd|even|all] [--fresh] [--json out.json]
 *
 * `--subset` scores only the odd-numbered (1st, 3rd, …) or even-numbered lines of questions.jsonl:
 * the default fusion weights were chosen on the whole set, so each half is a check that hybrid's
 * lead does not depend on which questions it was tuned on.
 *
 * The collection is kept in <tmpdir>/conduit-bench-rag-quality so a re-run does not re-embed
 * (unchanged documents are skipped by content hash); --fresh starts from nothing.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDefaultEmbeddingModel, loadDefaultEmbeddingModel } from '../../src/models/embeddings/index.js';
import { createOfflineModel } from '../../src/models/providers/offline/index.js';
import { formatEvalReport, readEvalDataset, runEvaluation, type EvalReport, type StrategyScores } from '../../src/rag/eval/index.js';
import { openEmbeddedCollectionStore } from '../../src/rag/index/index.js';
import { loadDirectory } from '../../src/rag/loaders/index.js';
import type { HybridFusion } from '../../src/rag/retrieval/index.js';
import { createDefaultRagEngine } from '../../src/rag/service/default-engine.js';
import type { RagEngine } from '../../src/rag/service/rag-engine.js';
import type { ChunkIndex } from '../../src/rag/types.js';

const HERE = dirname(fileURLToPath(import.meta.url));
export const NODE_DOCS_DIR = join(HERE, 'datasets', 'node-docs');
const COLLECTION = 'node-docs';

/** Hybrid fusions measured besides the default (`--variants`): why the default is what it is. */
const VARIANTS: Record<string, { weights?: Record<string, number>; fusion?: HybridFusion }> = {
  'hybrid rrf k=60 1:1': { weights: { keyword: 1, vector: 1 }, fusion: { method: 'rrf', k: 60 } },
  'hybrid rrf k=60 1:0.25': { weights: { keyword: 1, vector: 0.25 }, fusion: { method: 'rrf', k: 60 } },
  'hybrid weighted max 1:0.5': { weights: { keyword: 1, vector: 0.5 }, fusion: { method: 'weighted', normalization: 'max', missing: 'list-min' } },
  'hybrid weighted min-max 1:1': { weights: { keyword: 1, vector: 1 }, fusion: { method: 'weighted', normalization: 'min-max', missing: 'zero' } },
};

export interface QualityOptions {
  k?: number;
  /** Strategies of the default engine (default vector, keyword, hybrid). */
  strategies?: readonly string[];
  /** Also measure the fusion variants. */
  variants?: boolean;
  fresh?: boolean;
  /** Which questions to score, by 1-based line number in questions.jsonl (default all). */
  subset?: QuestionSubset;
  stateDir?: string;
  log?: (line: string) => void;
}

export const QUESTION_SUBSETS = ['all', 'odd', 'even'] as const;
export type QuestionSubset = (typeof QUESTION_SUBSETS)[number];

/** The odd- or even-numbered items (1-based, as a reader counts the lines), or all of them. */
export function selectSubset<T>(items: readonly T[], subset: QuestionSubset): T[] {
  if (subset === 'all') return [...items];
  const remainder = subset === 'odd' ? 0 : 1;
  return items.filter((_, i) => i % 2 === remainder);
}

export interface QualityResult {
  report: EvalReport;
  subset: QuestionSubset;
  questions: number;
  ingest: { documents: number; chunks: number; embedded: number; seconds: number };
  /** The rule, on recall@k, MRR and nDCG@10. */
  hybridNeverWorse: { holds: boolean; bestSingle: Record<string, { strategy: string; value: number }>; hybrid: Record<string, number> };
}

export async function runQuality(options: QualityOptions = {}): Promise<QualityResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const dir = options.stateDir ?? join(tmpdir(), 'conduit-bench-rag-quality');
  if (options.fresh) rmSync(dir, { recursive: true, force: true });
  await loadDefaultEmbeddingModel();
  const embedder = createDefaultEmbeddingModel();
  const engine = createDefaultRagEngine({ embedder, model: createOfflineModel() });
  const store = await openEmbeddedCollectionStore({ dir });
  try {
    if (!(await store.list()).some((c) => c.name === COLLECTION)) await store.create(COLLECTION, { description: 'Node.js API docs (bench/rag/datasets/node-docs)' });
    const index = await store.open(COLLECTION);
    const documents = await loadDirectory(join(NODE_DOCS_DIR, 'api'));
    log(`ingesting ${documents.length} documents into ${dir} …`);
    const summary = await engine.ingest(index, documents, {
      onProgress: (p) => {
        if (p.phase === 'embed' && (p.done === p.total || p.done % 128 === 0)) log(`  embedded ${p.done}/${p.total} chunks`);
      },
    });
    log(`  ${summary.documents} documents, ${summary.chunks} chunks, ${summary.embedded} embedded, ${summary.seconds.toFixed(1)} s`);

    const subset = options.subset ?? 'all';
    const items = selectSubset(await readEvalDataset(join(NODE_DOCS_DIR, 'questions.jsonl')), subset);
    const rows = new Map<string, { engine: RagEngine; strategy: string }>();
    for (const strategy of options.strategies ?? ['vector', 'keyword', 'hybrid']) rows.set(strategy, { engine, strategy });
    if (options.variants) {
      for (const [label, hybrid] of Object.entries(VARIANTS)) rows.set(label, { engine: createDefaultRagEngine({ embedder, model: createOfflineModel(), hybrid }), strategy: 'hybrid' });
    }
    log(`evaluating ${items.length} questions × ${rows.size} strategies …`);
    const report = await runEvaluation({
      items,
      strategies: [...rows.keys()],
      k: options.k ?? 5,
      retrieve: (label, question, topK) => retrieveWith(rows, label, index, question, topK),
    });
    return {
      report,
      subset,
      questions: items.length,
      ingest: { documents: summary.documents, chunks: summary.chunks, embedded: summary.embedded, seconds: summary.seconds },
      hybridNeverWorse: checkHybrid(report),
    };
  } finally {
    await store.close();
  }
}

function retrieveWith(rows: Map<string, { engine: RagEngine; strategy: string }>, label: string, index: ChunkIndex, question: string, topK: number) {
  const row = rows.get(label);
  if (row === undefined) throw new Error(`no strategy ${label}`);
  return row.engine.retrieve(index, { query: question, strategy: row.strategy, topK });
}

const RULE_METRICS = ['recallAtK', 'mrr', 'ndcgAt10'] as const;

function checkHybrid(report: EvalReport): QualityResult['hybridNeverWorse'] {
  const by = (name: string): StrategyScores | undefined => report.strategies.find((s) => s.strategy === name);
  const hybrid = by('hybrid');
  const singles = ['vector', 'keyword'].map(by).filter((s): s is StrategyScores => s !== undefined);
  const bestSingle: Record<string, { strategy: string; value: number }> = {};
  const hybridValues: Record<string, number> = {};
  let holds = hybrid !== undefined && singles.length > 0;
  for (const metric of RULE_METRICS) {
    const best = singles.reduce<StrategyScores | undefined>((a, s) => (a === undefined || s[metric] > a[metric] ? s : a), undefined);
    if (best === undefined || hybrid === undefined) continue;
    bestSingle[metric] = { strategy: best.strategy, value: best[metric] };
    hybridValues[metric] = hybrid[metric];
    // 1e-9: equal is not worse.
    if (hybrid[metric] + 1e-9 < best[metric]) holds = false;
  }
  return { holds, bestSingle, hybrid: hybridValues };
}

export function formatQuality(result: QualityResult): string {
  const rule = result.hybridNeverWorse;
  const lines = RULE_METRICS.map((m) => `  ${m}: hybrid ${(rule.hybrid[m] ?? 0).toFixed(3)} vs best single ${rule.bestSingle[m]?.strategy ?? '-'} ${(rule.bestSingle[m]?.value ?? 0).toFixed(3)}`);
  return [
    `Retrieval quality on the Node.js API set (${result.ingest.documents} documents, ${result.ingest.chunks} chunks; ${result.questions} questions, subset ${result.subset}):`,
    formatEvalReport(result.report).trimEnd(),
    `hybrid never worse than the best single retriever: ${rule.holds ? 'PASS' : 'FAIL'}`,
    ...lines,
    '',
  ].join('\n');
}

/** `--name value` or `--name=value`. */
function arg(name: string): string | undefined {
  const inline = process.argv.find((a) => a.startsWith(`--${name}=`));
  if (inline !== undefined) return inline.slice(name.length + 3);
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function subsetArg(): QuestionSubset {
  const value = arg('subset') ?? 'all';
  const subset = QUESTION_SUBSETS.find((s) => s === value);
  if (subset === undefined) throw new Error(`--subset must be one of ${QUESTION_SUBSETS.join(', ')} (got '${value}')`);
  return subset;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const k = arg('k');
  const strategies = arg('strategies');
  const result = await runQuality({
    ...(k !== undefined ? { k: Number(k) } : {}),
    ...(strategies !== undefined ? { strategies: strategies.split(',') } : {}),
    variants: process.argv.includes('--variants'),
    subset: subsetArg(),
    fresh: process.argv.includes('--fresh'),
  });
  process.stdout.write(formatQuality(result));
  const out = arg('json');
  if (out !== undefined) writeFileSync(out, `${JSON.stringify({ ...result, report: { ...result.report, strategies: result.report.strategies.map(({ perQuestion, ...s }) => ({ ...s, perQuestion })) } }, null, 2)}\n`);
  process.exitCode = result.hybridNeverWorse.holds ? 0 : 1;
}
