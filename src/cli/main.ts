/**
 * `conduit <command>`: parses arguments, runs the command, and maps failures to exit codes:
 * 0 success, 1 failure (bad config, provider error, or no model configured for `chat`),
 * 2 a usage mistake (unknown command or option).
 */
import { readFileSync } from 'node:fs';
import { isConduitError } from '../core/errors.js';
import { isConfigError } from '../config/config-error.js';
import { COMMANDS, parseCliArgs, UsageError, type CommandName } from './args.js';
import { commandHelp, MAIN_HELP } from './help.js';
import { processIo, type CliIo } from './io.js';
import { loadCommandContext } from './context.js';
import { runChat } from './commands/chat.js';
import { runConfig } from './commands/config.js';
import { runModels } from './commands/models.js';
import { runServe } from './commands/serve.js';
import { runSolve } from './commands/solve.js';
import { runPrompts } from './commands/prompts.js';
import { runMcp } from './commands/mcp.js';
import { runRag } from './commands/rag.js';
import { runRuns } from './commands/runs.js';
import { runEval } from './commands/eval.js';
import { runAb } from './commands/ab.js';
import { runLoadtestCommand } from './commands/loadtest.js';
import { runDataset } from './commands/dataset.js';
import { runCapacity } from './commands/capacity.js';
import { runIncident } from './commands/incident.js';
import { runAudit, runCache, runKeys, runSpend } from './commands/policy-commands.js';

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  try {
    return await run(argv, io);
  } catch (err) {
    return reportFailure(err, io);
  }
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseCliArgs(argv);
  if (args.version) {
    io.stdout.write(`conduit ${packageVersion()}\n`);
    return 0;
  }
  if (args.command === 'help') {
    const topic = args.args[0];
    if (topic !== undefined && !(COMMANDS as readonly string[]).includes(topic)) throw new UsageError(`unknown command '${topic}'`);
    io.stdout.write(commandHelp(topic as CommandName | undefined));
    return 0;
  }
  if (args.help) {
    io.stdout.write(commandHelp(args.command));
    return 0;
  }
  if (args.command === undefined) {
    io.stderr.write(MAIN_HELP);
    return 2;
  }
  if (!['chat', 'solve', 'prompts', 'config', 'keys', 'audit', 'cache', 'mcp', 'rag', 'runs', 'eval', 'ab', 'loadtest', 'dataset', 'incident'].includes(args.command) && args.args.length > 0) {
    throw new UsageError(`'conduit ${args.command}' takes no arguments, got '${args.args.join(' ')}'`);
  }

  // `prompts` reads files from the repository only: it needs no configuration or models.
  if (args.command === 'prompts') return runPrompts(args, io);
  // `mcp serve` (stdio) exposes the built-in tools and ./prompts: no configuration or models either.
  if (args.command === 'mcp') return runMcp(args, io);
  // `loadtest` targets any URL and `dataset` reads files: neither needs the configuration.
  if (args.command === 'loadtest') return runLoadtestCommand(args, io);
  if (args.command === 'dataset') return runDataset(args, io);
  // `capacity` reads a gateway's /metrics or given numbers: no configuration either.
  if (args.command === 'capacity') return runCapacity(args, io);
  const ctx = loadCommandContext(args, io);
  switch (args.command) {
    case 'serve':
      return runServe(ctx);
    case 'models':
      return runModels(ctx);
    case 'config':
      return runConfig(ctx);
    case 'chat':
      return runChat(ctx);
    case 'solve':
      return runSolve(ctx);
    case 'keys':
      return runKeys(ctx);
    case 'spend':
      return runSpend(ctx);
    case 'audit':
      return runAudit(ctx);
    case 'cache':
      return runCache(ctx);
    case 'rag':
      return runRag(ctx);
    case 'runs':
      return runRuns(ctx);
    case 'eval':
      return runEval(ctx);
    case 'ab':
      return runAb(ctx);
    case 'incident':
      return runIncident(ctx);
  }
}

function reportFailure(err: unknown, io: CliIo): number {
  if (err instanceof UsageError) {
    io.stderr.write(`conduit: ${err.message}\nRun 'conduit --help' for usage.\n`);
    return 2;
  }
  if (isConfigError(err)) {
    // Already located and free of secrets: "conduit.yaml: models.fast…: expected …".
    io.stderr.write(`${err.message}\n`);
    return 1;
  }
  if (isConduitError(err)) {
    io.stderr.write(`conduit: ${err.message}\n`);
    return 1;
  }
  io.stderr.write(`conduit: ${err instanceof Error ? err.message : String(err)}\n`);
  return 1;
}

function packageVersion(): string {
  // Two levels up from both src/cli/main.ts and dist/cli/main.js.
  const pkg: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  const version = pkg !== null && typeof pkg === 'object' ? (pkg as { version?: unknown }).version : undefined;
  return typeof version === 'string' ? version : 'unknown';
}
