/**
 * The console's server side through a real gateway: static files and their headers, the master-key
 * login and its cookie, CSRF refusals, and each JSON endpoint against the services it composes
 * (metrics, ledger, budgets, emergency stop, dead-letter queue, keys, prompt registry).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { quantileBetween } from '../../src/console/index.js';
import { chat, errorCode } from '../policy/support.js';
import { MASTER, consoleCall, failedPerson, login, recordSampleTrace, startConsoleGateway, startPausedRun, type ConsoleGateway } from './support.js';

describe('console server', () => {
  let gw: ConsoleGateway;
  let cookie: string;

  before(async () => {
    gw = await startConsoleGateway({ tracing: true, agents: true, alerting: true });
    cookie = await login(gw.url);
  });
  after(async () => {
    await gw?.close();
  });

  test('static app: redirect to the slash, security headers, no escapes or dotfiles', async () => {
    const redirect = await fetch(`${gw.url}/console`, { redirect: 'manual' });
    assert.equal(redirect.status, 308);
    assert.equal(redirect.headers.get('location'), '/console/');
    const index = await fetch(`${gw.url}/console/`);
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-type') ?? '', /text\/html/);
    assert.match(index.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    assert.equal(index.headers.get('x-content-type-options'), 'nosniff');
    assert.match(await index.text(), /<script type="module" src="app.js">/);
    const js = await fetch(`${gw.url}/console/views/overview.js`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type') ?? '', /text\/javascript/);
    for (const path of ['/console/%2e%2e/package.json', '/console/.gitignore', '/console/nope.js', '/console/views/']) {
      assert.equal((await fetch(gw.url + path)).status, 404, path);
    }
    // Static files need no login, and the gateway's own routes are untouched by the mount.
    assert.equal((await fetch(`${gw.url}/health`)).status, 200);
  });

  test('login: wrong key 401, right key sets an HttpOnly SameSite=Strict cookie; Secure behind HTTPS', async () => {
    assert.equal((await consoleCall(gw.url, 'overview')).status, 401);
    assert.deepEqual((await consoleCall(gw.url, 'session')).body, { authenticated: false, enabled: true });
    const wrong = await consoleCall(gw.url, 'login', { body: { master_key: 'nope' } });
    assert.equal(wrong.status, 401);
    assert.equal(errorCode({ ...wrong }), 'invalid_master_key');
    const ok = await consoleCall(gw.url, 'login', { body: { master_key: MASTER } });
    assert.equal(ok.status, 200);
    const setCookie = ok.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /^conduit_console=[\w-]{40,};/);
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Strict/);
    assert.match(setCookie, /Path=\/console/);
    assert.match(setCookie, /Max-Age=\d+/);
    assert.doesNotMatch(setCookie, /Secure/);
    const secure = await consoleCall(gw.url, 'login', { body: { master_key: MASTER }, headers: { 'x-forwarded-proto': 'https' } });
    assert.match(secure.headers.get('set-cookie') ?? '', /; Secure/);
    const session = await consoleCall(gw.url, 'session', { cookie });
    assert.equal(session.body.authenticated, true);
    // The master key never works as a cookie value, and a made-up session id is no session.
    assert.equal((await consoleCall(gw.url, 'overview', { cookie: `conduit_console=${MASTER}` })).status, 401);
  });

  test('CSRF: writes need the console header and a same-origin Origin', async () => {
    const noHeader = await fetch(`${gw.url}/console/api/emergency-stop`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: '{"confirm":true}' });
    assert.equal(noHeader.status, 403);
    assert.equal(((await noHeader.json()) as { error: { code: string } }).error.code, 'csrf_check_failed');
    const crossOrigin = await consoleCall(gw.url, 'emergency-stop', { cookie, body: { confirm: true }, headers: { origin: 'https://evil.example' } });
    assert.equal(crossOrigin.status, 403);
    const noLoginCsrf = await fetch(`${gw.url}/console/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ master_key: MASTER }) });
    assert.equal(noLoginCsrf.status, 403, 'login needs the header too (login CSRF)');
    assert.equal(gw.pg.policies.services?.emergencyStop?.isStopped(), false);
  });

  test('emergency stop and resume: model calls refused in between, the console stays reachable', async () => {
    const unconfirmed = await consoleCall(gw.url, 'emergency-stop', { cookie, body: { reason: 'x' } });
    assert.equal(unconfirmed.status, 400);
    assert.equal((unconfirmed.body.error as { code: string }).code, 'confirmation_required');
    const stopped = await consoleCall(gw.url, 'emergency-stop', { cookie, body: { confirm: true, reason: 'test stop' } });
    assert.equal(stopped.status, 200);
    assert.equal(stopped.body.stopped, true);
    const refused = await chat(gw.url, MASTER, 'hi');
    assert.equal(refused.status, 503);
    assert.equal(errorCode(refused), 'emergency_stop');
    const overview = await consoleCall(gw.url, 'overview', { cookie });
    assert.equal(overview.status, 200);
    assert.equal((overview.body.emergencyStop as { stopped: boolean; reason: string }).reason, 'test stop');
    const resumed = await consoleCall(gw.url, 'resume', { cookie, body: {} });
    assert.equal(resumed.body.stopped, false);
    assert.equal((await chat(gw.url, MASTER, 'hi')).status, 200);
  });

  test('overview: live numbers from the metrics, last hour and budgets from the ledger', async () => {
    await gw.console.live.sample();
    const before = (await consoleCall(gw.url, 'overview', { cookie })).body as { totals: { requests: number } };
    for (let i = 0; i < 6; i++) assert.equal((await chat(gw.url, MASTER, `q${i}`)).status, 200);
    await gw.console.live.sample();
    const o = (await consoleCall(gw.url, 'overview', { cookie })).body as {
      totals: { requests: number };
      window: { requestsPerSecond: number; errorRate: number | null; latencyP50Ms: number | null };
      lastHour: { requests: number; costUsd: number };
      budgets: { id: string; spentUsd: number; limitUsd: number; used: number }[];
      features: Record<string, boolean>;
      dlq: { pending: number };
    };
    assert.equal(o.totals.requests - before.totals.requests, 6);
    assert.ok(o.window.requestsPerSecond > 0, JSON.stringify(o.window));
    assert.ok(o.window.latencyP50Ms !== null && o.window.latencyP50Ms > 0);
    assert.ok(o.lastHour.requests >= 7, 'the ledger saw every accepted call');
    assert.ok(o.lastHour.costUsd > 0);
    const budget = o.budgets.find((b) => b.id === 'global-hour');
    assert.ok(budget);
    assert.equal(budget.limitUsd, 5);
    assert.ok(Math.abs(budget.spentUsd - o.lastHour.costUsd) < 1e-9 || budget.spentUsd <= o.lastHour.costUsd);
    assert.ok(budget.spentUsd > 0);
    assert.equal(o.features.traces, true);
    assert.equal(o.features.approvals, true);
    assert.equal(typeof o.dlq.pending, 'number');
  });

  test('requests: the ledger rows, filtered; bad filters are a 400', async () => {
    const all = await consoleCall(gw.url, 'requests?limit=3', { cookie });
    assert.equal(all.status, 200);
    const rows = all.body.data as { model: string; status: string; costUsd: number; requestId: string }[];
    assert.equal(rows.length, 3);
    for (const r of rows) assert.equal(r.status, 'ok');
    assert.equal(((await consoleCall(gw.url, 'requests?model=GPT-4O', { cookie })).body.data as unknown[]).length > 0, true);
    assert.equal(((await consoleCall(gw.url, 'requests?model=claude', { cookie })).body.data as unknown[]).length, 0);
    assert.equal(((await consoleCall(gw.url, 'requests?status=error', { cookie })).body.data as unknown[]).length, 0);
    assert.equal(((await consoleCall(gw.url, 'requests?min_cost=1000', { cookie })).body.data as unknown[]).length, 0);
    assert.equal(((await consoleCall(gw.url, `requests?from=${Date.now() + 60_000}`, { cookie })).body.data as unknown[]).length, 0);
    assert.equal((await consoleCall(gw.url, 'requests?status=bogus', { cookie })).status, 400);
    assert.equal((await consoleCall(gw.url, 'requests?from=yesterday', { cookie })).status, 400);
  });

  test('dead letters: list, detail with attempts, invalid correction 400 and still pending, valid resolves', async () => {
    const dlq = gw.pg.policies.dlq!;
    const id = await dlq.add(failedPerson('Ann is old'));
    const list = await consoleCall(gw.url, 'dlq', { cookie });
    assert.ok((list.body.data as { id: string }[]).some((i) => i.id === id));
    const item = await consoleCall(gw.url, `dlq/${id}`, { cookie });
    assert.equal((item.body.attempts as unknown[]).length, 2);
    const invalid = await consoleCall(gw.url, `dlq/${id}/resolve`, { cookie, body: { corrected_data: { name: 'Ann', age: 'old' } } });
    assert.equal(invalid.status, 400);
    assert.equal((await dlq.get(id))?.status, 'pending');
    assert.equal((await consoleCall(gw.url, `dlq/${id}/resolve`, { cookie, body: {} })).status, 400);
    const ok = await consoleCall(gw.url, `dlq/${id}/resolve`, { cookie, body: { corrected_data: { name: 'Ann', age: 71 } } });
    assert.equal(ok.status, 200);
    const stored = await dlq.get(id);
    assert.equal(stored?.status, 'resolved');
    assert.deepEqual(stored?.resolution, { name: 'Ann', age: 71 });
    assert.equal(stored?.resolvedBy, 'admin');
  });

  test('keys: create, list with month spend, revoke (then refused by the gateway)', async () => {
    const created = await consoleCall(gw.url, 'keys', { cookie, body: { name: 'console-made', budgets: [{ window: 'month', limitUsd: 3 }] } });
    assert.equal(created.status, 201);
    const secret = created.body.key as string;
    assert.equal((await chat(gw.url, secret, 'hello')).status, 200);
    const list = await consoleCall(gw.url, 'keys', { cookie });
    const mine = (list.body.data as { id: string; monthSpendUsd: number; budgets: unknown[] }[]).find((k) => k.id === created.body.id);
    assert.ok(mine);
    assert.ok(mine.monthSpendUsd > 0, 'the call just made is in the month spend');
    assert.equal((await consoleCall(gw.url, `keys/${String(created.body.id)}/revoke`, { cookie, body: {} })).status, 200);
    assert.equal((await chat(gw.url, secret, 'hello')).status, 401);
    assert.equal((await consoleCall(gw.url, 'keys', { cookie, body: { name: '' } })).status, 400);
    const spend = await consoleCall(gw.url, 'spend?group_by=model', { cookie });
    assert.equal(spend.status, 200);
    assert.equal((await consoleCall(gw.url, 'spend?group_by=planet', { cookie })).status, 400);
  });

  test('traces: the trace store list with filters, and one trace as spans; unknown trace 404', async () => {
    const traceId = await recordSampleTrace(gw.tracer!, 'key-abc');
    const listed = await consoleCall(gw.url, 'traces?key=key-abc', { cookie });
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    const rows = listed.body.data as { traceId: string; spanCount: number; model: string; costUsd: number }[];
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.traceId, traceId);
    assert.equal(rows[0]!.spanCount, 4);
    assert.equal(((await consoleCall(gw.url, 'traces?key=someone-else', { cookie })).body.data as unknown[]).length, 0);
    assert.equal((await consoleCall(gw.url, 'traces?status=maybe', { cookie })).status, 400);
    const one = await consoleCall(gw.url, `traces/${traceId}`, { cookie });
    const spans = one.body.spans as { name: string; parentSpanId?: string; status: string }[];
    assert.deepEqual(spans.map((s) => s.name).sort(), ['POST /v1/chat/completions', 'attempt 1', 'attempt 2', 'chat gpt-4o-mini']);
    assert.equal(spans.find((s) => s.name === 'attempt 1')?.status, 'error');
    assert.equal((await consoleCall(gw.url, `traces/${'0'.repeat(32)}`, { cookie })).status, 404);
  });

  test('approvals: pending tool calls listed with their run; approve resumes the run, deny ends it', async () => {
    const agentsUrl = gw.agentsUrl!;
    const first = await startPausedRun(agentsUrl);
    const second = await startPausedRun(agentsUrl, 'What is 10% of 50?');
    const listed = await consoleCall(gw.url, 'approvals', { cookie });
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    const pending = listed.body.data as { id: string; runId: string; tool: string; arguments: unknown; agent: string }[];
    assert.deepEqual(pending.map((p) => p.runId).sort(), [first, second].sort());
    const a = pending.find((p) => p.runId === first)!;
    assert.equal(a.tool, 'calculator');
    assert.equal(a.agent, 'ops');
    assert.deepEqual(a.arguments, { expression: '25% of 1200' });
    assert.equal((await consoleCall(gw.url, `approvals/${first}/${a.id}`, { cookie, body: { decision: 'maybe' } })).status, 400);
    const approved = await consoleCall(gw.url, `approvals/${first}/${a.id}`, { cookie, body: { decision: 'approve', reason: 'ok' } });
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    assert.equal(approved.body.runStatus, 'completed');
    const b = pending.find((p) => p.runId === second)!;
    const denied = await consoleCall(gw.url, `approvals/${second}/${b.id}`, { cookie, body: { decision: 'deny' } });
    assert.equal(denied.status, 200);
    const run = (await (await fetch(`${agentsUrl}/v1/runs/${second}`)).json()) as { approvals: { status: string }[] };
    assert.equal(run.approvals[0]!.status, 'denied');
    assert.deepEqual((await consoleCall(gw.url, 'approvals', { cookie })).body.data, []);
    // A decided approval cannot be decided again.
    assert.notEqual((await consoleCall(gw.url, `approvals/${first}/${a.id}`, { cookie, body: { decision: 'deny' } })).status, 200);
  });

  test('playground: renders a registry prompt and runs it through the gateway; bad variables are a 400', async () => {
    const prompts = await consoleCall(gw.url, 'prompts', { cookie });
    assert.ok((prompts.body.data as { id: string }[]).some((p) => p.id === 'support/triage'));
    const before = gw.upstream.requests.length;
    const run = await consoleCall(gw.url, 'playground', { cookie, body: { prompt: 'support/triage@1.1.0', variables: { ticket: 'I was charged twice' }, model: 'openai/gpt-4o-mini' } });
    assert.equal(run.status, 200, JSON.stringify(run.body));
    assert.equal(run.body.output, '{"category":"billing","priority":"p2","reason":"refund"}');
    assert.equal(gw.upstream.requests.length, before + 1);
    const sent = JSON.stringify(gw.upstream.requests.at(-1)?.body);
    assert.match(sent, /I was charged twice/);
    const missing = await consoleCall(gw.url, 'playground', { cookie, body: { prompt: 'support/triage', variables: {} } });
    assert.equal(missing.status, 400);
    assert.equal(gw.upstream.requests.length, before + 1, 'no model call for a prompt that did not render');
    assert.equal((await consoleCall(gw.url, 'playground', { cookie, body: { prompt: 'nope/nothing', variables: {} } })).status, 404);
  });

  test('overview lists the alerts the alert engine has firing', async () => {
    const quiet = (await consoleCall(gw.url, 'overview', { cookie })).body as { alerts: unknown[]; features: Record<string, boolean> };
    assert.equal(quiet.features.alerts, true);
    assert.deepEqual(quiet.alerts, []);
    // Every call fails upstream for a moment: the error rate of the last minute crosses 10%.
    for (let i = 0; i < 30; i++) gw.upstream.enqueue({ kind: 'error', status: 500, message: 'down', type: 'server_error' });
    for (let i = 0; i < 30; i++) assert.ok((await chat(gw.url, MASTER, `fail ${i}`)).status >= 500);
    await gw.alerts!.evaluate();
    const o = (await consoleCall(gw.url, 'overview', { cookie })).body as { alerts: { name: string; state: string; severity: string; summary: string }[]; window: { errorRate: number } };
    const alert = o.alerts.find((a) => a.name === 'ConduitHighErrorRate');
    assert.ok(alert, JSON.stringify(o.alerts));
    assert.equal(alert.state, 'firing');
    assert.ok(alert.summary.length > 0);
    await gw.console.live.sample();
    const after = (await consoleCall(gw.url, 'overview', { cookie })).body as { window: { errorRate: number } };
    assert.ok(after.window.errorRate > 0);
  });

  test('logout ends the session; failed logins are throttled', async () => {
    const mine = await login(gw.url);
    assert.equal((await consoleCall(gw.url, 'overview', { cookie: mine })).status, 200);
    const out = await consoleCall(gw.url, 'logout', { cookie: mine, body: {} });
    assert.match(out.headers.get('set-cookie') ?? '', /Max-Age=0/);
    assert.equal((await consoleCall(gw.url, 'overview', { cookie: mine })).status, 401);
    let last = 0;
    for (let i = 0; i < 11; i++) last = (await consoleCall(gw.url, 'login', { body: { master_key: `wrong-${i}` } })).status;
    assert.equal(last, 429);
  });
});

describe('latency quantiles from histogram buckets', () => {
  const b = (counts: number[]) => [0.01, 0.1, 1, Number.POSITIVE_INFINITY].map((le, i) => ({ le, count: counts[i]! }));
  test('interpolates inside the bucket that holds the rank, over the difference of two snapshots', () => {
    // Between the snapshots: 10 observations ≤ 10 ms, 10 in (10 ms, 100 ms].
    const before = b([5, 5, 5, 5]);
    const after = b([15, 25, 25, 25]);
    assert.equal(quantileBetween(before, after, 0.5), 10);
    assert.equal(Math.round(quantileBetween(before, after, 0.75)!), 55);
    assert.equal(quantileBetween(before, before, 0.5), null);
    // Beyond the last finite bound: that bound, not infinity.
    assert.equal(quantileBetween(b([0, 0, 0, 0]), b([0, 0, 0, 4]), 0.95), 1000);
  });
});
