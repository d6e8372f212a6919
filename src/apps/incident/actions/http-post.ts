/** A JSON POST with a timeout whose failure says what was called and what came back. */
import { ConduitError } from '../../../core/errors.js';

export async function postJson(url: string, body: unknown, options: { headers?: Record<string, string>; timeoutMs?: number; what: string }): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...options.headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (err) {
    throw new ConduitError('provider_error', `${options.what}: POST ${url} failed: ${err instanceof Error ? err.message : String(err)}`, { code: 'incident_action_unreachable' });
  }
  const text = await res.text();
  if (!res.ok) throw new ConduitError('provider_error', `${options.what}: POST ${url} answered ${res.status}: ${text.slice(0, 300)}`, { code: 'incident_action_failed' });
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
