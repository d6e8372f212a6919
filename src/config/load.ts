/**
 * Finds, reads, interpolates and validates the configuration.
 *
 * File: `--config`, else `CONDUIT_CONFIG`, else `./conduit.yaml` when it exists, else none
 * (environment-only start). Then, in order: YAML parse, `${ENV}` interpolation of the file's
 * strings, environment variables and CLI flags layered on (see environment.ts), schema validation.
 * Every failure is one ConfigError listing all problems found at that stage.
 */
import { readFileSync, existsSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { ConfigError } from './config-error.js';
import type { ConfigIssue } from './config-error.js';
import { configSchema } from './schema.js';
import type { ConduitConfig } from './schema.js';
import { interpolateTree } from './interpolate.js';
import type { Env } from './interpolate.js';
import { applyCliOverrides, applyEnvironment } from './environment.js';
import type { CliOverrides, Origins } from './environment.js';
import { describeValue, formatPath, zodIssuesToRawIssues } from './issues.js';
import type { RawIssue } from './issues.js';
import { parseYamlSource } from './yaml-source.js';
import type { ConfigPath } from './yaml-source.js';
import { collectSecretValues, scrubSecrets, SECRET_ENV_VARS } from './secrets.js';

export const DEFAULT_CONFIG_FILE = 'conduit.yaml';

export interface LoadConfigOptions {
  /** From `--config`; wins over `CONDUIT_CONFIG`. */
  path?: string;
  /** Defaults to process.env. */
  env?: Env;
  /** Where relative paths and `./conduit.yaml` are looked up; defaults to process.cwd(). */
  cwd?: string;
  /** `--host`, `--port`, `--model`: the highest precedence. */
  overrides?: CliOverrides;
}

export interface LoadedConfig {
  config: ConduitConfig;
  /** Absolute path of the file that was read; undefined for an environment-only start. */
  file: string | undefined;
  /** How messages name the file (`conduit.yaml`, `conf/prod.yaml`). */
  displayName: string | undefined;
}

/** The config file to read, or undefined when none is named and ./conduit.yaml does not exist. */
export function resolveConfigPath(options: LoadConfigOptions = {}): { file: string; setBy: string } | undefined {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  if (options.path !== undefined && options.path !== '') return { file: resolve(cwd, options.path), setBy: '--config' };
  const fromEnv = env.CONDUIT_CONFIG;
  if (fromEnv !== undefined && fromEnv !== '') return { file: resolve(cwd, fromEnv), setBy: 'CONDUIT_CONFIG' };
  const local = resolve(cwd, DEFAULT_CONFIG_FILE);
  return existsSync(local) ? { file: local, setBy: 'default' } : undefined;
}

export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const located = resolveConfigPath(options);
  if (!located) {
    return { config: parseConfigData(null, { env, overrides: options.overrides }), file: undefined, displayName: undefined };
  }
  const displayName = displayPath(located.file, cwd);
  let text: string;
  try {
    text = readFileSync(located.file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory, expected a YAML file' : `cannot be read (${code ?? String(err)})`;
    const setBy = located.setBy === 'default' ? '' : ` (named by ${located.setBy})`;
    throw new ConfigError([{ source: displayName, path: '', message: `${why}${setBy}` }], { cause: err });
  }
  const config = parseConfigText(text, { source: displayName, env, overrides: options.overrides });
  return { config, file: located.file, displayName };
}

export interface ParseConfigOptions {
  /** Name used in messages; defaults to `conduit.yaml`. */
  source?: string;
  env?: Env;
  overrides?: CliOverrides;
}

/** Parses and validates YAML text (the file's content) with environment and flags applied. */
export function parseConfigText(text: string, options: ParseConfigOptions = {}): ConduitConfig {
  const source = options.source ?? DEFAULT_CONFIG_FILE;
  const yaml = parseYamlSource(text, source);
  return parseConfigData(yaml.value, { ...options, source, lineOf: yaml.lineOf });
}

interface ParseDataOptions extends ParseConfigOptions {
  lineOf?: (path: ConfigPath) => number | undefined;
}

/** Validates already-parsed data (null: no file). */
export function parseConfigData(data: unknown, options: ParseDataOptions = {}): ConduitConfig {
  const env = options.env ?? process.env;
  const source = options.source ?? 'configuration';
  const lineOf = options.lineOf ?? (() => undefined);
  const origins: Origins = new Map();

  const secrets = new Set<string>();
  for (const name of SECRET_ENV_VARS) {
    const v = env[name];
    if (v) secrets.add(v);
  }
  const fail = (issues: RawIssue[]): never => {
    const located = issues.map((i) => locate(i, source, lineOf, origins, secrets));
    // File order reads best; issues from the environment or flags (no line) come last. sort() is stable.
    located.sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER));
    throw new ConfigError(located);
  };

  if (data !== null && data !== undefined && (typeof data !== 'object' || Array.isArray(data))) {
    fail([{ path: [], message: `expected a mapping at the top level, got ${describeValue(data, true)}` }]);
  }
  const interpolated = interpolateTree(data ?? {}, env);
  collectSecretValues(interpolated.value, [], secrets);
  if (interpolated.issues.length > 0) fail(interpolated.issues);

  const root = interpolated.value as Record<string, unknown>;
  applyEnvironment(root, env, origins);
  if (options.overrides) applyCliOverrides(root, options.overrides, origins);

  const result = configSchema.safeParse(root);
  if (!result.success) return fail(zodIssuesToRawIssues(result.error.issues, root, configSchema));
  return result.data;
}

function locate(
  issue: RawIssue,
  source: string,
  lineOf: (path: ConfigPath) => number | undefined,
  origins: Origins,
  secrets: Set<string>,
): ConfigIssue {
  const dotted = formatPath(issue.path);
  const message = scrubSecrets(issue.message, secrets);
  const origin = origins.get(dotted);
  if (origin) return { source: origin.source, path: origin.path, message };
  const line = lineOf(issue.path);
  return line === undefined ? { source, path: dotted, message } : { source, line, path: dotted, message };
}

function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : file;
}
