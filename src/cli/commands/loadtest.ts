/**
 * `conduit loadtest <url>`: load against any OpenAI-compatible chat-completions endpoint, at a fixed
 * rate (open loop, default) or a fixed concurrency. Needs no configuration: only the URL and model.
 */
import type { CliIo } from '../io.js';
import type { ParsedArgs } from '../args.js';
import { UsageError } from '../args.js';
import { runLoadTest } from '../../eval/loadtest/run-load-test.js';
import { formatLoadReport, loadReportJson } from '../../eval/loadtest/load-report.js';
import type { LoadMode } from '../../eval/loadtest/load-options.js';

export async function runLoadtestCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const [url, ...extra] = args.args;
  if (url === undefined || extra.length > 0) throw new UsageError("'conduit loadtest' expects one URL: conduit loadtest <url> --model <m> [--rate <r> | --concurrency <n>] [--duration <s>]");
  const o = args.options;
  const model = args.model;
  if (model === undefined) throw new UsageError('--model is needed: the model name to send');
  if (o.rate !== undefined && o.concurrency !== undefined) throw new UsageError('give --rate (open loop) or --concurrency (closed loop), not both');
  const duration = positive(o.duration ?? '10', '--duration');
  let mode: LoadMode;
  if (o.concurrency !== undefined) {
    mode = { kind: 'concurrency', concurrency: positiveInt(o.concurrency, '--concurrency'), durationSeconds: duration, ...(o.requests === undefined ? {} : { maxRequests: positiveInt(o.requests, '--requests') }) };
  } else {
    if (o.requests !== undefined) throw new UsageError('--requests applies to --concurrency; with --rate the count is rate × duration');
    mode = { kind: 'rate', requestsPerSecond: positive(o.rate ?? '1', '--rate'), durationSeconds: duration };
  }
  const apiKey = o.apiKey ?? io.env.CONDUIT_API_KEY ?? io.env.OPENAI_API_KEY;
  const report = await runLoadTest({
    url,
    mode,
    model,
    prompt: o.prompt ?? 'Reply with one short sentence about load testing.',
    stream: args.stream,
    ...(args.maxTokens === undefined ? {} : { maxTokens: args.maxTokens }),
    ...(apiKey === undefined || apiKey === '' ? {} : { apiKey }),
    ...(o.timeoutMs === undefined ? {} : { timeoutMs: positive(o.timeoutMs, '--timeout-ms') }),
    ...(o.targetRate === undefined ? {} : { targetRate: positive(o.targetRate, '--target-rate') }),
    ...(o.targetLatencyMs === undefined ? {} : { targetLatencyMs: positive(o.targetLatencyMs, '--target-latency-ms') }),
  });
  io.stdout.write(args.json ? `${loadReportJson(report)}\n` : formatLoadReport(report));
  return 0;
}

function positive(raw: string, name: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${name} expects a positive number, got '${raw}'`);
  return n;
}

function positiveInt(raw: string, name: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${name} expects a positive integer, got '${raw}'`);
  return n;
}
