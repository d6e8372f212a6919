/**
 * `conduit runs list|show|approve|deny`: agent runs in the configured database. `approve`/`deny`
 * decide a pending approval (audited with `--user` as the actor) and resume the run in this
 * process with the agent as configured, printing how it ended. With embedded storage, stop
 * `conduit serve` first (one process per embedded database), or use the HTTP API instead.
 */
import { resolve } from 'node:path';
import { createAuditLog } from '../../audit/index.js';
import { agentsConfigOf } from '../../config/schema.js';
import { createAgentRuntime } from '../../agents/runs/agent-runtime.js';
import { agentDefinitionsFromConfig } from '../../agents/runs/agents-from-config.js';
import { createSqlRunStore } from '../../agents/runs/sql-run-store.js';
import type { RunStatus } from '../../agents/runs/run-event.js';
import type { RunRecord } from '../../agents/runs/run-store.js';
import { runJson } from '../../agents/http/run-json.js';
import { openDatabase } from '../../store/open-database.js';
import { UsageError } from '../args.js';
import type { CommandContext } from '../context.js';

const STATUSES: readonly RunStatus[] = ['running', 'awaiting_approval', 'completed', 'max_steps', 'deadline', 'budget_exceeded', 'cancelled', 'failed'];

export async function runRuns(ctx: CommandContext): Promise<number> {
  const { io, args } = ctx;
  const [sub, ...rest] = args.args;
  const expect = (n: number, usage: string): void => {
    if (rest.length !== n) throw new UsageError(`'conduit runs ${sub}' expects: ${usage}`);
  };
  if (sub === 'list') expect(0, 'list [--agent <name>] [--status <status>]');
  else if (sub === 'show') expect(1, 'show <run_id>');
  else if (sub === 'approve' || sub === 'deny') expect(2, `${sub} <run_id> <approval_id> [--reason <text>] [--user <name>]`);
  else throw new UsageError("'conduit runs' expects: list | show <run_id> | approve <run_id> <approval_id> | deny <run_id> <approval_id>");
  const status = args.options.status;
  if (status !== undefined && !STATUSES.includes(status as RunStatus)) throw new UsageError(`--status must be one of ${STATUSES.join(', ')}`);

  const storage = ctx.loaded.config.storage;
  const db = await openDatabase({ ...(storage.database_url === undefined ? {} : { url: storage.database_url }), stateDir: resolve(io.cwd, storage.state_dir) });
  try {
    const store = await createSqlRunStore({ db });
    if (sub === 'list') {
      const status = args.options.status;
      const runs = await store.listRuns({ ...(status === undefined ? {} : { status: status as RunStatus }), ...(args.options.agent === undefined ? {} : { agent: args.options.agent }) });
      if (args.json) io.stdout.write(JSON.stringify(runs.map((r) => runJson(r)), null, 2) + '\n');
      else if (runs.length === 0) io.stdout.write('No runs.\n');
      else for (const r of runs) io.stdout.write(`${r.id}  ${r.agent}  ${r.status}  ${r.createdAt}  ${summary(r)}\n`);
      return 0;
    }
    if (sub === 'show') {
      const run = await store.getRun(rest[0]!);
      if (run === undefined) throw new UsageError(`no run '${rest[0]}'`);
      const approvals = await store.listApprovals(run.id);
      const events = await store.listEvents(run.id);
      if (args.json) {
        io.stdout.write(JSON.stringify(runJson(run, approvals, events), null, 2) + '\n');
        return 0;
      }
      const { replayRun } = await import('../../agents/runs/replay.js');
      io.stdout.write(`${run.id}  agent=${run.agent}  status=${run.status}  steps=${run.steps}  cost=$${run.costUsd.toFixed(6)}\n`);
      for (const a of approvals.filter((x) => x.status === 'pending')) io.stdout.write(`pending approval ${a.approvalId}: ${a.tool}(${JSON.stringify(a.args)})\n`);
      io.stdout.write(`\n${replayRun(events).transcript}\n`);
      return 0;
    }
    const [runId, approvalId] = rest as [string, string];
    const agents = await agentDefinitionsFromConfig({ config: agentsConfigOf(ctx.loaded.config), resolver: ctx.registry, cwd: io.cwd });
    const runtime = createAgentRuntime({ store, audit: await createAuditLog({ db }), agents });
    const reason = args.options.reason;
    const outcome = await runtime.decideApproval(runId, approvalId, {
      decision: sub === 'approve' ? 'approve' : 'deny',
      by: args.options.user ?? `cli:${io.env.USER ?? 'unknown'}`,
      ...(reason === undefined ? {} : { reason }),
    });
    if (args.json) io.stdout.write(JSON.stringify(runJson(outcome.run, await store.listApprovals(runId)), null, 2) + '\n');
    else io.stdout.write(`${approvalId}: ${outcome.approval.status}. Run ${runId} is ${outcome.run.status}${outcome.run.finalText ? `: ${outcome.run.finalText}` : ''}\n`);
    return 0;
  } finally {
    await db.close();
  }
}

function summary(run: RunRecord): string {
  const text = run.finalText ?? run.input;
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}
