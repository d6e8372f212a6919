/**
 * `conduit rag ingest|ask|eval|feedback`: the RAG service from the command line, on the configured storage
 * (embedded collections under `<state_dir>/rag` by default), embedding model and default model.
 * With no model configured, `ask` answers extractively (quoted sentences, marked as extracted) and
 * `eval` reports the retrieval metrics and says why the judged ones are missing. `feedback` scores
 * how a strategy answered a question; the score is stored beside the collections, so later
 * `ask --strategy adaptive` runs (and `conduit serve`) prefer strategies that scored better.
 */
import { resolve } from 'node:path';
import { ConduitError } from '../../core/errors.js';
import { formatEvalReport, readEvalDataset, runEvaluation, DEFAULT_EVAL_K } from '../../rag/eval/index.js';
import { loadPath } from '../../rag/loaders/index.js';
import { openRagService } from '../../rag/service/open-rag-service.js';
import type { RagService } from '../../rag/service/rag-service.js';
import { UsageError } from '../args.js';
import type { CommandContext } from '../context.js';
import { createProgressReporter } from './rag-progress.js';

const SUBCOMMANDS = ['ingest', 'ask', 'eval', 'feedback'] as const;

export async function runRag(ctx: CommandContext): Promise<number> {
  const [sub, ...rest] = ctx.args.args;
  if (sub === undefined || !(SUBCOMMANDS as readonly string[]).includes(sub)) {
    throw new UsageError(`conduit rag needs a subcommand: ${SUBCOMMANDS.join(', ')}${sub === undefined ? '' : ` (got '${sub}')`}`);
  }
  if (sub === 'feedback') return feedback(ctx, rest.join(' '));
  const collection = ctx.args.options.collection;
  if (collection === undefined) throw new UsageError(`conduit rag ${sub} needs --collection <name>`);
  const topK = positiveIntegerOption('--top-k', ctx.args.options.topK);
  const k = positiveIntegerOption('--k', ctx.args.options.k);
  if (sub === 'ingest' && rest.length !== 1) throw new UsageError('usage: conduit rag ingest <path> --collection <name>');
  if (sub === 'ask' && rest.join(' ').trim() === '') throw new UsageError('usage: conduit rag ask "<question>" --collection <name>');
  if (sub === 'eval' && rest.length !== 1) throw new UsageError('usage: conduit rag eval <dataset.jsonl> --collection <name>');

  const service = await openRagService({ config: ctx.loaded.config, registry: ctx.registry, cwd: ctx.io.cwd, env: ctx.io.env });
  try {
    switch (sub) {
      case 'ingest':
        return await ingest(ctx, service, collection, rest[0] ?? '');
      case 'ask':
        return await ask(ctx, service, collection, rest.join(' '), topK);
      default:
        return await evaluate(ctx, service, collection, rest[0] ?? '', k);
    }
  } finally {
    await service.close();
  }
}

async function ingest(ctx: CommandContext, service: RagService, collection: string, path: string): Promise<number> {
  const { io } = ctx;
  const skipped: string[] = [];
  const documents = await loadPath(resolve(io.cwd, path), {
    onSkip: (file, err) => {
      skipped.push(file);
      io.stderr.write(`skipped ${file}: ${err.message}\n`);
    },
  });
  if (documents.length === 0) throw new ConduitError('invalid_request', `No documents to ingest under ${path}`, { code: 'no_documents' });
  await service.ensureCollection(collection);
  // One bar per phase: chunking documents, embedding chunks, writing documents.
  const units = { chunk: 'documents chunked', embed: 'chunks embedded', write: 'documents written' } as const;
  let phase: keyof typeof units | undefined;
  let progress = createProgressReporter(io.stderr, { unit: units.chunk });
  const summary = await service.ingest({
    collection,
    documents,
    onProgress: (p) => {
      if (p.phase !== phase) {
        progress.done();
        progress = createProgressReporter(io.stderr, { unit: units[p.phase] });
        phase = p.phase;
      }
      progress.update({ done: p.done, total: p.total });
    },
    signal: io.shutdownSignal(),
  });
  progress.done();
  if (ctx.args.json) {
    io.stdout.write(`${JSON.stringify({ collection, ...summary, skipped }, null, 2)}\n`);
    return 0;
  }
  io.stdout.write(
    `Ingested ${summary.documents} documents into '${collection}': ${summary.chunks} chunks (${summary.embedded} embedded, ${summary.unchanged} documents unchanged) in ${summary.seconds.toFixed(1)} s${skipped.length > 0 ? `; ${skipped.length} files skipped` : ''}\n`,
  );
  return 0;
}

/** `conduit rag feedback "<question>" --strategy <s> (--score <0..1> | --thumbs up|down) [--comment <text>]`. */
async function feedback(ctx: CommandContext, question: string): Promise<number> {
  const { options } = ctx.args;
  if (question.trim() === '' || options.strategy === undefined) {
    throw new UsageError('usage: conduit rag feedback "<question>" --strategy <s> (--score <0..1> | --thumbs up|down) [--comment <text>]');
  }
  if ((options.score === undefined) === (options.thumbs === undefined)) throw new UsageError('conduit rag feedback needs exactly one of --score <0..1> or --thumbs up|down');
  let score: number;
  if (options.thumbs !== undefined) {
    if (options.thumbs !== 'up' && options.thumbs !== 'down') throw new UsageError(`--thumbs expects up or down, got '${options.thumbs}'`);
    score = options.thumbs === 'up' ? 1 : 0;
  } else {
    score = Number(options.score);
    if (options.score?.trim() === '' || !(score >= 0 && score <= 1)) throw new UsageError(`--score expects a number from 0 to 1, got '${options.score ?? ''}'`);
  }
  const service = await openRagService({ config: ctx.loaded.config, registry: ctx.registry, cwd: ctx.io.cwd, env: ctx.io.env });
  try {
    const entry = await service.recordFeedback({ query: question, strategy: options.strategy, score, ...(options.comment !== undefined ? { comment: options.comment } : {}) });
    if (ctx.args.json) ctx.io.stdout.write(`${JSON.stringify(entry)}\n`);
    else ctx.io.stdout.write(`Recorded score ${entry.score} for ${entry.strategy} on a ${entry.queryType} question\n`);
    return 0;
  } finally {
    await service.close();
  }
}

async function ask(ctx: CommandContext, service: RagService, collection: string, question: string, topK: number | undefined): Promise<number> {
  const { io, args } = ctx;
  const answer = await service.query({
    collection,
    query: question,
    ...(args.options.strategy !== undefined ? { strategy: args.options.strategy } : {}),
    ...(topK !== undefined ? { topK } : {}),
    signal: io.shutdownSignal(),
  });
  if (args.json) {
    io.stdout.write(`${JSON.stringify(answer, (key, value: unknown) => (key === 'embedding' ? undefined : value), 2)}\n`);
    return 0;
  }
  io.stdout.write(`${answer.answer.trim()}\n`);
  if (answer.sources.length > 0) {
    io.stdout.write('\nSources:\n');
    answer.sources.forEach((source, i) => {
      const snippet = source.chunk.text.replace(/\s+/g, ' ').trim().slice(0, 100);
      io.stdout.write(`  [${i + 1}] ${source.chunk.documentId} (${source.chunk.id}, score ${source.score.toFixed(3)}): ${snippet}${source.chunk.text.length > 100 ? '…' : ''}\n`);
    });
  }
  io.stderr.write(`strategy: ${answer.strategy}, mode: ${answer.mode}${answer.mode === 'extracted' ? ' (no model configured: quoted from the sources)' : ''}\n`);
  return 0;
}

async function evaluate(ctx: CommandContext, service: RagService, collection: string, datasetPath: string, k: number | undefined): Promise<number> {
  const { io, args } = ctx;
  const items = await readEvalDataset(resolve(io.cwd, datasetPath));
  const strategies = args.options.strategies?.split(',').map((s) => s.trim()).filter((s) => s !== '') ?? defaultEvalStrategies(service);
  for (const strategy of strategies) {
    if (!service.strategies.includes(strategy)) throw new UsageError(`unknown strategy '${strategy}' (available: ${service.strategies.join(', ')})`);
  }
  await service.getCollection(collection);
  const model = ctx.registry.resolve(ctx.registry.defaultModelName());
  const progress = createProgressReporter(io.stderr, { unit: 'questions' });
  const report = await runEvaluation({
    items,
    strategies,
    k: k ?? DEFAULT_EVAL_K,
    retrieve: (strategy, question, topK, signal) => service.retrieve({ collection, query: question, strategy, topK, ...(signal ? { signal } : {}) }),
    answer: (strategy, question, signal) => service.query({ collection, query: question, strategy, ...(signal ? { signal } : {}) }),
    judge: model,
    onProgress: (done, total) => progress.update({ done, total }),
    signal: io.shutdownSignal(),
  });
  progress.done();
  if (args.json) {
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return 0;
  }
  io.stdout.write(formatEvalReport(report));
  return 0;
}

/** vector, keyword, hybrid and the configured default, those the engine has, in that order. */
function defaultEvalStrategies(service: RagService): string[] {
  const wanted = ['vector', 'keyword', 'hybrid', service.defaultStrategy];
  return [...new Set(wanted)].filter((s) => service.strategies.includes(s));
}

function positiveIntegerOption(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new UsageError(`${name} expects a positive integer, got '${raw}'`);
  return value;
}
