/**
 * Local GGUF files for the `llamacpp` provider. `llamacpp/<file>` may name only a file directly in
 * the model folder (llamacpp.model_dir, else the folder of llamacpp.model_path / CONDUIT_MODEL_PATH):
 * the name comes from API clients, so it must never reach other paths (`../../etc/passwd`).
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ConduitError } from '../../core/errors.js';
import type { ConduitConfig } from '../../config/schema.js';

export function llamaModelDir(config: ConduitConfig): string | undefined {
  const l = config.llamacpp;
  if (l?.model_dir) return resolve(l.model_dir);
  if (l?.model_path) return dirname(resolve(l.model_path));
  return undefined;
}

/** The `llamacpp/<file>` name of the configured model_path, if any. */
export function defaultLlamaModelName(config: ConduitConfig): string | undefined {
  const path = config.llamacpp?.model_path;
  return path ? `llamacpp/${basename(path)}` : undefined;
}

/** Absolute path of the GGUF file `file` names (the configured model_path when `file` is empty). */
export function resolveLlamaFile(config: ConduitConfig, file: string): string {
  const name = `llamacpp${file ? `/${file}` : ''}`;
  if (file === '') {
    const path = config.llamacpp?.model_path;
    if (!path) {
      throw new ConduitError('not_found', `Model "llamacpp" needs llamacpp.model_path (or CONDUIT_MODEL_PATH); name a file as llamacpp/<file>.gguf instead`, {
        code: 'model_not_found',
        param: 'model',
        model: name,
      });
    }
    return resolve(path);
  }
  if (file.includes('/') || file.includes('\\') || file.startsWith('.') || file.includes('\0')) {
    throw new ConduitError('invalid_request', `Model "${name}": a llamacpp model is named by its file name in the model folder, without a path`, {
      code: 'invalid_model_name',
      param: 'model',
    });
  }
  const dir = llamaModelDir(config);
  const path = dir === undefined ? undefined : join(dir, file);
  if (path === undefined || !isFile(path)) {
    throw new ConduitError('not_found', `Model "${name}" not found: there is no file "${file}" in the llamacpp model folder`, {
      code: 'model_not_found',
      param: 'model',
      model: name,
    });
  }
  return path;
}

/** GGUF files in the model folder (plus the configured model_path), as `llamacpp/<file>` names. */
export function listLlamaModels(config: ConduitConfig): string[] {
  const names = new Set<string>();
  const configured = defaultLlamaModelName(config);
  if (configured) names.add(configured);
  const dir = llamaModelDir(config);
  if (dir) {
    try {
      for (const entry of readdirSync(dir)) {
        if (entry.toLowerCase().endsWith('.gguf') && !entry.startsWith('.') && isFile(join(dir, entry))) names.add(`llamacpp/${entry}`);
      }
    } catch {
      // A missing or unreadable folder lists nothing; resolving a file from it reports not_found.
    }
  }
  return [...names];
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
