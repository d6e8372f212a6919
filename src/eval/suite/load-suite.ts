/**
 * Reads and validates a suite file. Every problem is reported at once, each with its path and line
 * (`suite.yaml: cases[1].assert[0].max_ms: expected number, got string (line 14)`), as one
 * ConduitError('invalid_request', code `invalid_suite`) — the CLI exits 2 on it, apart from 1 for
 * failing assertions, so CI can tell a broken suite from a failing one.
 */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { isConfigError } from '../../config/config-error.js';
import { formatPath } from '../../config/issues.js';
import { parseYamlSource } from '../../config/yaml-source.js';
import { ConduitError } from '../../core/errors.js';
import { suiteSchema, type EvalSuiteSpec } from './suite-schema.js';

export const INVALID_SUITE = 'invalid_suite';

export interface LoadedSuite extends EvalSuiteSpec {
  /** `name`, else the file name without extension. */
  name: string;
}

export function parseSuite(text: string, source = 'suite.yaml'): LoadedSuite {
  let yaml: ReturnType<typeof parseYamlSource>;
  try {
    yaml = parseYamlSource(text, source);
  } catch (err) {
    if (isConfigError(err)) throw new ConduitError('invalid_request', err.message, { code: INVALID_SUITE, cause: err });
    throw err;
  }
  return validateSuite(yaml.value, source, (path) => yaml.lineOf(path));
}

/** Validates suite data already parsed (JSON, or built in code). */
export function validateSuite(value: unknown, source = 'suite', lineOf?: (path: readonly (string | number)[]) => number | undefined): LoadedSuite {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConduitError('invalid_request', `${source}: expected a mapping with prompts, models and cases`, { code: INVALID_SUITE });
  }
  const parsed = suiteSchema.safeParse(value);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      const line = lineOf?.(path);
      const where = path.length === 0 ? '' : `${formatPath(path)}: `;
      return `${source}: ${where}${issue.message}${line === undefined ? '' : ` (line ${line})`}`;
    });
    throw new ConduitError('invalid_request', lines.join('\n'), { code: INVALID_SUITE });
  }
  return { ...parsed.data, name: parsed.data.name ?? basename(source, extname(source)) };
}

export async function loadSuite(path: string): Promise<LoadedSuite> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConduitError('invalid_request', `cannot read suite ${path}: ${err instanceof Error ? err.message : String(err)}`, { code: INVALID_SUITE, cause: err });
  }
  return parseSuite(text, path);
}
