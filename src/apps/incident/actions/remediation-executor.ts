/**
 * Runs a runbook action — only one whose name is on the allow-list, checked here again at the
 * moment of execution so no path (approval, replay, API) can run anything else.
 */
import { ConduitError } from '../../../core/errors.js';
import { postJson } from './http-post.js';
import type { RunbookAction } from './runbook.js';

export interface RemediationContext {
  incidentId: string;
  service: string;
  severity: string;
  labels: Record<string, string>;
}

export interface RemediationResult {
  action: string;
  type: RunbookAction['type'];
  /** What the target answered (http) or what would have run (noop). */
  output: unknown;
}

function fill(value: unknown, ctx: RemediationContext): unknown {
  if (typeof value === 'string') {
    return value.replace(/\{\{\s*([a-z_.]+)\s*\}\}/gi, (_, key: string) => {
      if (key === 'incident_id') return ctx.incidentId;
      if (key === 'service') return ctx.service;
      if (key === 'severity') return ctx.severity;
      if (key.startsWith('label.')) return ctx.labels[key.slice(6)] ?? '';
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((v) => fill(v, ctx));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, ctx)]));
  return value;
}

export async function executeRemediation(action: RunbookAction, allowed: readonly string[], ctx: RemediationContext): Promise<RemediationResult> {
  if (!allowed.includes(action.name)) throw new ConduitError('permission', `Remediation '${action.name}' is not in incident.remediation.allowed_actions`, { code: 'remediation_not_allowed' });
  const body = fill(action.body, ctx);
  if (action.type === 'noop') return { action: action.name, type: 'noop', output: { dryRun: true, body } };
  const url = action.url ?? '';
  const output = await postJson(url, body, { headers: action.headers, what: `Remediation '${action.name}'` });
  return { action: action.name, type: 'http', output: output ?? null };
}
