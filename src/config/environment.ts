/**
 * Environment variables and CLI flags layered onto the file's data, before validation, so they are
 * checked by the same schema and their errors name the variable or flag, not a file line.
 *
 * Precedence, highest first: CLI flags (`--host`, `--port`, `--model`), then Conduit's own
 * variables (`CONDUIT_*` override the file), then the file, then provider variables
 * (`OPENAI_API_KEY`, …, which fill only what the file leaves unset, as the providers' SDKs do).
 */
import type { Env } from './interpolate.js';
import { formatPath } from './issues.js';

export interface Origin {
  /** `environment` or the flag (`--port`). */
  source: string;
  /** The variable name, or '' for a flag. */
  path: string;
}

/** Where values that did not come from the file came from, keyed by formatted config path. */
export type Origins = Map<string, Origin>;

interface EnvBinding {
  variable: string;
  path: string[];
  /** `override` replaces the file's value; `fill` sets it only when the file leaves it unset. */
  mode: 'override' | 'fill';
}

export const ENV_BINDINGS: readonly EnvBinding[] = [
  { variable: 'CONDUIT_HOST', path: ['server', 'host'], mode: 'override' },
  { variable: 'CONDUIT_PORT', path: ['server', 'port'], mode: 'override' },
  { variable: 'CONDUIT_MODEL', path: ['default_model'], mode: 'override' },
  { variable: 'CONDUIT_MODEL_PATH', path: ['llamacpp', 'model_path'], mode: 'override' },
  { variable: 'CONDUIT_LOG_LEVEL', path: ['logging', 'level'], mode: 'override' },
  { variable: 'CONDUIT_MASTER_KEY', path: ['auth', 'master_key'], mode: 'override' },
  { variable: 'DATABASE_URL', path: ['storage', 'database_url'], mode: 'fill' },
  { variable: 'REDIS_URL', path: ['storage', 'redis_url'], mode: 'fill' },
  { variable: 'OPENAI_API_KEY', path: ['providers', 'openai', 'api_key'], mode: 'fill' },
  { variable: 'OPENAI_BASE_URL', path: ['providers', 'openai', 'base_url'], mode: 'fill' },
  { variable: 'OPENAI_ORG_ID', path: ['providers', 'openai', 'organization'], mode: 'fill' },
  { variable: 'ANTHROPIC_API_KEY', path: ['providers', 'anthropic', 'api_key'], mode: 'fill' },
  { variable: 'ANTHROPIC_BASE_URL', path: ['providers', 'anthropic', 'base_url'], mode: 'fill' },
  { variable: 'OLLAMA_BASE_URL', path: ['providers', 'ollama', 'base_url'], mode: 'fill' },
];

export interface CliOverrides {
  host?: string;
  port?: string | number;
  model?: string;
}

const FLAG_PATHS: Record<keyof CliOverrides, string[]> = {
  host: ['server', 'host'],
  port: ['server', 'port'],
  model: ['default_model'],
};

/** Mutates `root` (a fresh copy owned by the loader) and records origins. */
export function applyEnvironment(root: Record<string, unknown>, env: Env, origins: Origins): void {
  for (const binding of ENV_BINDINGS) {
    const value = env[binding.variable];
    if (value === undefined || value === '') continue;
    if (binding.mode === 'fill') {
      // An empty value in the file means "not set" (see schema.ts `optional`), so the variable fills it.
      const current = getPath(root, binding.path);
      if (current !== undefined && current !== null && current !== '') continue;
    }
    if (setPath(root, binding.path, value)) origins.set(formatPath(binding.path), { source: 'environment', path: binding.variable });
  }
}

export function applyCliOverrides(root: Record<string, unknown>, overrides: CliOverrides, origins: Origins): void {
  for (const key of Object.keys(FLAG_PATHS) as (keyof CliOverrides)[]) {
    const value = overrides[key];
    if (value === undefined) continue;
    if (setPath(root, FLAG_PATHS[key], value)) origins.set(formatPath(FLAG_PATHS[key]), { source: `--${key}`, path: '' });
  }
}

function getPath(root: Record<string, unknown>, path: string[]): unknown {
  let cur: unknown = root;
  for (const segment of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[segment];
  }
  return cur;
}

/** Sets a nested value, creating missing mappings; leaves a non-mapping in the way for the schema to report. */
function setPath(root: Record<string, unknown>, path: string[], value: unknown): boolean {
  let cur: Record<string, unknown> = root;
  for (const segment of path.slice(0, -1)) {
    const next = cur[segment];
    if (next === undefined || next === null) {
      const created: Record<string, unknown> = {};
      cur[segment] = created;
      cur = created;
    } else if (typeof next === 'object' && !Array.isArray(next)) {
      cur = next as Record<string, unknown>;
    } else {
      return false;
    }
  }
  cur[path[path.length - 1]!] = value;
  return true;
}
