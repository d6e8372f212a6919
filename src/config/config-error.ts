/**
 * A configuration problem, reported so it can be fixed without reading code: where (file, line,
 * dotted path) and what was expected. Values are echoed only where they cannot be secrets.
 */
import { ConduitError } from '../core/errors.js';

export interface ConfigIssue {
  /** The file as the user named it (`conduit.yaml`), `environment`, or a CLI flag (`--port`). */
  source: string;
  /** 1-based line in `source`, when the issue can be located in a file. */
  line?: number;
  /** Dotted path (`models.fast.deployments[0].weight`) or the environment variable's name; '' for the whole document. */
  path: string;
  /** What was wrong: `expected number, got string "high"`. */
  message: string;
}

export function formatConfigIssue(issue: ConfigIssue): string {
  const where = issue.path === '' ? issue.source : `${issue.source}: ${issue.path}`;
  const line = issue.line === undefined ? '' : ` (line ${issue.line})`;
  return `${where}: ${issue.message}${line}`;
}

export class ConfigError extends ConduitError {
  readonly issues: ConfigIssue[];

  constructor(issues: ConfigIssue[], options: { cause?: unknown } = {}) {
    if (issues.length === 0) throw new TypeError('ConfigError needs at least one issue');
    super('invalid_request', issues.map(formatConfigIssue).join('\n'), { cause: options.cause, code: 'invalid_config' });
    this.name = 'ConfigError';
    this.issues = issues;
  }

  /** The first issue's source: the config file, `environment` or a flag. */
  get file(): string {
    return this.issues[0]!.source;
  }

  get line(): number | undefined {
    return this.issues[0]!.line;
  }

  get path(): string {
    return this.issues[0]!.path;
  }

  get expected(): string {
    return this.issues[0]!.message;
  }
}

export function isConfigError(err: unknown): err is ConfigError {
  return err instanceof ConfigError;
}
