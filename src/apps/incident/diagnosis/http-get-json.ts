/** GET/POST to an observability backend with a timeout; errors name the backend and the status. */
import { ConduitError } from '../../../core/errors.js';

export async function fetchJson(url: string, init: { method?: 'GET' | 'POST'; body?: unknown; headers?: Record<string, string>; timeoutMs?: number; what: string }): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: init.method ?? 'GET',
      headers: { accept: 'application/json', ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      signal: AbortSignal.timeout(init.timeoutMs ?? 10_000),
    });
  } catch (err) {
    throw new ConduitError('provider_error', `${init.what} unreachable (${url}): ${err instanceof Error ? err.message : String(err)}`, { code: 'diagnosis_backend_unreachable' });
  }
  const text = await res.text();
  if (!res.ok) throw new ConduitError('provider_error', `${init.what} answered ${res.status}: ${text.slice(0, 300)}`, { code: 'diagnosis_backend_error' });
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ConduitError('provider_error', `${init.what} answered with something that is not JSON`, { code: 'diagnosis_backend_error' });
  }
}
