/**
 * `conduit ab list | analyze <experiment> | assign <experiment> <user>`: the A/B experiments under
 * `experiments:` and their analysis from the configured database (with embedded storage, stop
 * `conduit serve` first, or use GET /v1/experiments/{id}/analysis).
 */
import { resolve } from 'node:path';
import { ConduitError } from '../../core/errors.js';
import { analyzeExperiment } from '../../eval/ab/analysis.js';
import { analysisJson, formatAnalysis } from '../../eval/ab/analysis-report.js';
import { assignArm } from '../../eval/ab/assignment.js';
import { defineExperiments } from '../../eval/ab/experiment.js';
import { openExperimentStore } from '../../eval/ab/experiment-store.js';
import { openDatabase } from '../../store/open-database.js';
import { UsageError } from '../args.js';
import type { CommandContext } from '../context.js';

const USAGE = "'conduit ab' expects: list | analyze <experiment> | assign <experiment> <user>";

export async function runAb(ctx: CommandContext): Promise<number> {
  const { io, args } = ctx;
  const [sub, ...rest] = args.args;
  const experiments = defineExperiments(ctx.loaded.config.experiments ?? []);
  const experimentOf = (id: string) => {
    const e = experiments.get(id);
    if (e === undefined) throw new ConduitError('not_found', `No experiment '${id}' under experiments: (configured: ${[...experiments.keys()].join(', ') || 'none'})`);
    return e;
  };
  if (sub === 'list' && rest.length === 0) {
    if (args.json) io.stdout.write(JSON.stringify([...experiments.values()], null, 2) + '\n');
    else if (experiments.size === 0) io.stdout.write('No experiments configured.\n');
    else for (const e of experiments.values()) io.stdout.write(`${e.id}  ${e.arms.map((a) => `${a.id} ${a.share}%${a.prompt === undefined ? '' : ` prompt=${a.prompt}`}${a.model === undefined ? '' : ` model=${a.model}`}`).join(' | ')}  primary=${e.primaryMetric}\n`);
    return 0;
  }
  if (sub === 'assign' && rest.length === 2) {
    const arm = assignArm(experimentOf(rest[0] ?? ''), rest[1] ?? '');
    io.stdout.write(`${arm.id}\n`);
    return 0;
  }
  if (sub !== 'analyze' || rest.length !== 1) throw new UsageError(USAGE);
  const experiment = experimentOf(rest[0] ?? '');
  const storage = ctx.loaded.config.storage;
  const db = await openDatabase({ ...(storage.database_url === undefined ? {} : { url: storage.database_url }), stateDir: resolve(io.cwd, storage.state_dir) });
  try {
    const store = await openExperimentStore(db);
    const analysis = analyzeExperiment(experiment, await store.observations(experiment.id));
    io.stdout.write(args.json ? `${analysisJson(analysis)}\n` : formatAnalysis(analysis));
    return 0;
  } finally {
    await db.close();
  }
}
