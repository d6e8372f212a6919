/** Loads the configuration and builds the model registry the way every command needs them. */
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { createModelRegistry, type ModelRegistry } from '../models/registry/index.js';
import type { ParsedArgs } from './args.js';
import type { CliIo } from './io.js';

export interface CommandContext {
  args: ParsedArgs;
  io: CliIo;
  loaded: LoadedConfig;
  registry: ModelRegistry;
}

export function loadCommandContext(args: ParsedArgs, io: CliIo): CommandContext {
  const overrides: { host?: string; port?: string; model?: string } = {};
  if (args.host !== undefined) overrides.host = args.host;
  if (args.port !== undefined) overrides.port = args.port;
  if (args.model !== undefined) overrides.model = args.model;
  const loaded = loadConfig({ path: args.config, env: io.env, cwd: io.cwd, overrides });
  const registry = createModelRegistry({ config: loaded.config });
  return { args, io, loaded, registry };
}
