/**
 * `conduit eval run|history|from-traces`: LLM test suites as a CI gate. Exit codes: 0 every job
 * passed; 1 an assertion failed or a call failed (or an operational failure); 2 a usage mistake or
 * an invalid suite / trace file — so CI can tell "the prompt regressed" from "the suite is broken".
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { isConduitError } from '../../core/errors.js';
import { createPromptRegistry } from '../../prompting/registry.js';
import { openDatabase } from '../../store/open-database.js';
import type { SqlDatabase } from '../../store/sql.js';
import { loadSuite } from '../../eval/suite/load-suite.js';
import { executePlan, planSuite } from '../../eval/suite/run-suite.js';
import { createSqlEvalResultStore, type EvalResultStore } from '../../eval/suite/result-store.js';
import { parseTraceJsonl, tracesToSuite, type TraceRecord } from '../../eval/suite/from-traces.js';
import { traceRecordsFromSpans } from '../../eval/suite/from-spans.js';
import { SqlTraceStore } from '../../observability/tracing/sql-trace-store.js';
import { junitReport } from '../../eval/report/junit.js';
import { markdownReport } from '../../eval/report/markdown.js';
import { consoleSummary } from '../../eval/report/console-summary.js';
import type { EmbeddingModel } from '../../models/language-model.js';
import { UsageError } from '../args.js';
import type { CommandContext } from '../context.js';

/** Errors that mean the input files are wrong (exit 2), not that the run failed. */
const INPUT_ERROR_CODES = new Set(['invalid_suite', 'invalid_traces', 'no_traces']);

export async function runEval(ctx: CommandContext): Promise<number> {
  const [sub, ...rest] = ctx.args.args;
  try {
    if (sub === 'run') {
      if (rest.length !== 1) throw new UsageError("'conduit eval run' expects one suite file: eval run <suite.yaml>");
      return await evalRun(ctx, rest[0] as string);
    }
    if (sub === 'history') {
      if (rest.length !== 0) throw new UsageError("'conduit eval history' takes no arguments");
      return await evalHistory(ctx);
    }
    if (sub === 'from-traces') {
      if (rest.length !== 0) throw new UsageError("'conduit eval from-traces' takes no arguments: give the file with --from");
      return await evalFromTraces(ctx);
    }
  } catch (err) {
    if (isConduitError(err) && err.code !== undefined && INPUT_ERROR_CODES.has(err.code)) {
      ctx.io.stderr.write(`conduit: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  throw new UsageError("'conduit eval' expects: run <suite.yaml> | history | from-traces --from <file.jsonl>");
}

async function evalRun(ctx: CommandContext, suitePath: string): Promise<number> {
  const { io, args, registry } = ctx;
  const concurrency = positiveInt(args.options.concurrency, '--concurrency');
  const repeat = positiveInt(args.options.repeat, '--repeat');
  const suite = await loadSuite(resolve(io.cwd, suitePath));
  let embedding: Promise<EmbeddingModel> | undefined;
  // Planned before the store is opened: an invalid suite exits 2 having touched nothing.
  const plan = await planSuite({
    suite,
    resolver: registry,
    prompts: createPromptRegistry({ root: join(io.cwd, 'prompts') }),
    ...(repeat === undefined ? {} : { repeat }),
    embeddings: () => (embedding ??= Promise.resolve().then(() => registry.resolveEmbedding(suite.embedding_model ?? registry.defaultEmbeddingModelName()))),
  });
  return withStore(ctx, async (store) => {
    // Ctrl-C cancels the calls in flight; the jobs already done are not lost from the cache.
    const run = await executePlan(plan, { store, cache: args.options.noCache !== 'true', signal: io.shutdownSignal(), ...(concurrency === undefined ? {} : { concurrency }) });
    if (args.options.junit !== undefined) await writeFile(resolve(io.cwd, args.options.junit), junitReport(run));
    if (args.options.markdown !== undefined) await writeFile(resolve(io.cwd, args.options.markdown), markdownReport(run));
    io.stdout.write(args.json ? `${JSON.stringify(run, null, 2)}\n` : consoleSummary(run));
    return run.summary.failed + run.summary.errors === 0 ? 0 : 1;
  });
}

async function evalHistory(ctx: CommandContext): Promise<number> {
  const { io, args } = ctx;
  const limit = positiveInt(args.options.limit, '--limit');
  return withStore(ctx, async (store) => {
    const runs = await store.history({ ...(args.options.suite === undefined ? {} : { suite: args.options.suite }), ...(limit === undefined ? {} : { limit }) });
    if (args.json) {
      io.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
      return 0;
    }
    if (runs.length === 0) {
      io.stdout.write('No eval runs.\n');
      return 0;
    }
    for (const r of runs) {
      const s = r.summary;
      const verdict = s.failed + s.errors === 0 ? 'PASS' : 'FAIL';
      io.stdout.write(`${r.startedAt.toISOString()}  ${verdict}  ${r.suite}  ${s.passed}/${s.total} passed  ${s.failed} failed  ${s.errors} errors  ${s.cached} cached  $${s.costUsd.toFixed(6)}  ${r.runId}\n`);
    }
    return 0;
  });
}

async function evalFromTraces(ctx: CommandContext): Promise<number> {
  const { io, args } = ctx;
  const from = args.options.from;
  if (from === undefined) throw new UsageError("'conduit eval from-traces' needs --from <traces.jsonl>");
  const limit = positiveInt(args.options.limit, '--limit');
  const records = from === TRACE_STORE ? await withDatabase(ctx, (db) => recordsFromTraceStore(db, limit)) : parseTraceJsonl(await readTraceFile(io.cwd, from), from);
  const models = args.options.models?.split(',').map((m) => m.trim()).filter((m) => m !== '');
  const suite = tracesToSuite(records, {
    ...(limit === undefined ? {} : { limit }),
    ...(args.options.where === undefined ? {} : { where: parseWhere(args.options.where) }),
    ...(models === undefined || models.length === 0 ? {} : { models }),
  });
  const yaml = `# Generated by conduit eval from-traces from ${from}: ${suite.cases.length} cases.\n${stringify(suite, { lineWidth: 0 })}`;
  if (args.options.output !== undefined) {
    await writeFile(resolve(io.cwd, args.options.output), yaml);
    io.stderr.write(`Wrote ${suite.cases.length} cases to ${args.options.output}\n`);
  } else io.stdout.write(args.json ? `${JSON.stringify(suite, null, 2)}\n` : yaml);
  return 0;
}

/** `--from store`: Conduit's own trace store instead of a file. */
const TRACE_STORE = 'store';
/** Traces read from the store at most (its query limit). */
const MAX_STORED_TRACES = 500;

async function readTraceFile(cwd: string, from: string): Promise<string> {
  try {
    return await readFile(resolve(cwd, from), 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${from}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The newest successful traces' model spans that captured content (keys with trace content capture on). */
async function recordsFromTraceStore(db: SqlDatabase, limit: number | undefined): Promise<TraceRecord[]> {
  const traces = await SqlTraceStore.open(db, { pruneIntervalMs: 0 });
  const summaries = await traces.listTraces({ status: 'ok', limit: Math.min(MAX_STORED_TRACES, limit ?? MAX_STORED_TRACES) });
  const records: TraceRecord[] = [];
  for (const summary of summaries) records.push(...traceRecordsFromSpans(await traces.getTrace(summary.traceId)));
  return records;
}

async function withDatabase<T>(ctx: CommandContext, fn: (db: SqlDatabase) => Promise<T>): Promise<T> {
  const storage = ctx.loaded.config.storage;
  const db: SqlDatabase = await openDatabase({ ...(storage.database_url === undefined ? {} : { url: storage.database_url }), stateDir: resolve(ctx.io.cwd, storage.state_dir) });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

function withStore(ctx: CommandContext, fn: (store: EvalResultStore) => Promise<number>): Promise<number> {
  return withDatabase(ctx, async (db) => fn(await createSqlEvalResultStore(db)));
}

function positiveInt(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${name} expects a positive integer, got '${value}'`);
  return n;
}

function parseWhere(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of value.split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--where expects key=value[,key=value…], got '${pair}'`);
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return out;
}
