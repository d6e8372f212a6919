/** `conduit config show` (effective config, secrets redacted) and `conduit config check`. */
import { stringify } from 'yaml';
import { redactConfig } from '../../config/redact.js';
import { configuredProviders } from '../../models/registry/index.js';
import { UsageError } from '../args.js';
import type { CommandContext } from '../context.js';

export function runConfig(ctx: CommandContext): number {
  const sub = ctx.args.args[0];
  if (sub === 'show' && ctx.args.args.length === 1) return show(ctx);
  if (sub === 'check' && ctx.args.args.length === 1) return check(ctx);
  throw new UsageError(sub === undefined ? "conduit config needs a subcommand: 'show' or 'check'" : `unknown config subcommand '${ctx.args.args.join(' ')}' (use 'show' or 'check')`);
}

function sourceLabel(ctx: CommandContext): string {
  return ctx.loaded.displayName ?? 'environment (no config file)';
}

function show(ctx: CommandContext): number {
  const { io, loaded, registry } = ctx;
  io.stdout.write(`# source: ${sourceLabel(ctx)}\n# default model: ${registry.defaultModelName()}\n`);
  io.stdout.write(stringify(redactConfig(loaded.config)));
  return 0;
}

function check(ctx: CommandContext): number {
  const { io, loaded, registry } = ctx;
  const problems = registry.validate();
  const source = sourceLabel(ctx);
  if (problems.length > 0) {
    for (const p of problems) io.stderr.write(`${source}: ${p.name}: ${p.error.message}\n`);
    return 1;
  }
  const providers = configuredProviders(loaded.config);
  const aliases = Object.keys(loaded.config.models);
  io.stdout.write(
    `${source}: OK\n` +
      `  providers: ${providers.length > 0 ? providers.join(', ') : 'none (the offline provider answers)'}\n` +
      `  aliases: ${aliases.length > 0 ? aliases.join(', ') : 'none'}\n` +
      `  default model: ${registry.defaultModelName()}\n`,
  );
  return 0;
}
