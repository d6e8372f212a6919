/**
 * `conduit dataset validate|split|export|advise`: fine-tuning data tools. Reads JSON Lines (or a JSON
 * array); needs no configuration.
 *   validate <file> --task <t>                    checks; exit 1 when a critical issue is found
 *   split <file> --task <t> -o <dir> [--seed 42] [--ratios 70/15/15]   train/validation/test JSONL
 *   export <file> --task <t> -o <file.jsonl> [--system <text>]         chat-format JSONL
 *   advise [<file>] --data-size <n> --specificity <0-1> --gap <0-1> --weeks <n> [--model-size small|medium|large]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConduitError } from '../../core/errors.js';
import { toChatExample } from '../../eval/dataset/chat-export.js';
import { readDatasetFile, toJsonl } from '../../eval/dataset/dataset-file.js';
import { formatAdvice, formatValidationReport } from '../../eval/dataset/dataset-report.js';
import { adviseFineTuning, type ModelSize } from '../../eval/dataset/fine-tuning-advice.js';
import { DEFAULT_SPLIT_SEED, parseRatios, stratifiedSplit } from '../../eval/dataset/split-dataset.js';
import { labelOf, parseTaskType } from '../../eval/dataset/task-types.js';
import { validateDataset } from '../../eval/dataset/validate-dataset.js';
import type { ParsedArgs } from '../args.js';
import { UsageError } from '../args.js';
import type { CliIo } from '../io.js';

const USAGE = "'conduit dataset' expects: validate <file> | split <file> | export <file> | advise [<file>] (see conduit dataset --help)";

export async function runDataset(args: ParsedArgs, io: CliIo): Promise<number> {
  const [sub, ...rest] = args.args;
  const o = args.options;
  const path = (p: string): string => resolve(io.cwd, p);
  if (sub === 'advise') {
    if (rest.length > 1) throw new UsageError(USAGE);
    const dataSize = rest[0] !== undefined ? (await readDatasetFile(path(rest[0]))).length : o.dataSize !== undefined ? number(o.dataSize, '--data-size') : undefined;
    if (dataSize === undefined) throw new UsageError('advise needs a dataset file or --data-size <n>');
    const need = (v: string | undefined, name: string): number => {
      if (v === undefined) throw new UsageError(`advise needs ${name}`);
      return number(v, name);
    };
    const modelSize = o.modelSize ?? 'small';
    if (!['small', 'medium', 'large'].includes(modelSize)) throw new UsageError(`--model-size must be small, medium or large, got '${modelSize}'`);
    const advice = adviseFineTuning({ dataSize, domainSpecificity: need(o.specificity, '--specificity'), performanceGap: need(o.gap, '--gap'), timelineWeeks: need(o.weeks, '--weeks'), modelSize: modelSize as ModelSize });
    io.stdout.write(args.json ? `${JSON.stringify(advice, null, 2)}\n` : formatAdvice(advice));
    return 0;
  }
  if ((sub !== 'validate' && sub !== 'split' && sub !== 'export') || rest.length !== 1) throw new UsageError(USAGE);
  const task = parseTaskType(o.task);
  const samples = await readDatasetFile(path(rest[0] ?? ''));
  const report = validateDataset(samples, task);

  if (sub === 'validate') {
    io.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : formatValidationReport(report));
    return report.passed ? 0 : 1;
  }
  // split and export write only from a dataset without critical issues: bad samples would be trained on.
  if (!report.passed) {
    io.stderr.write(formatValidationReport(report));
    throw new ConduitError('invalid_request', `The dataset has critical issues; fix them first (conduit dataset validate ${rest[0]} --task ${task})`, { code: 'invalid_dataset' });
  }
  const output = o.output;
  if (output === undefined) throw new UsageError(`${sub} needs -o/--output <${sub === 'split' ? 'dir' : 'file.jsonl'}>`);
  const exportOptions = args.system === undefined ? {} : { system: args.system };
  if (sub === 'export') {
    const lines = samples.map((s) => toChatExample(s.record, task, exportOptions));
    await writeFile(path(output), toJsonl(lines));
    io.stdout.write(`Wrote ${lines.length} chat examples to ${output}\n`);
    return 0;
  }
  const seed = o.seed === undefined ? DEFAULT_SPLIT_SEED : Number(o.seed);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed expects an integer, got '${o.seed}'`);
  const split = stratifiedSplit(samples, { seed, ...(o.ratios === undefined ? {} : { ratios: parseRatios(o.ratios) }), stratum: (s) => labelOf(s.record, task) });
  await mkdir(path(output), { recursive: true });
  for (const part of ['train', 'validation', 'test'] as const) {
    await writeFile(join(path(output), `${part}.jsonl`), toJsonl(split[part].map((s) => toChatExample(s.record, task, exportOptions))));
  }
  io.stdout.write(`Split ${samples.length} samples (seed ${seed}): train ${split.train.length}, validation ${split.validation.length}, test ${split.test.length} → ${output}/{train,validation,test}.jsonl\n`);
  return 0;
}

function number(raw: string, name: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${name} expects a number, got '${raw}'`);
  return n;
}
