/**
 * The console in headless Chromium (Debian's `chromium` driven by playwright-core) against a real
 * gateway over the fake OpenAI upstream: log in, watch the live numbers move while a load runs,
 * press emergency stop and resume (a model call is refused in between), resolve a dead letter,
 * create a key, list requests, open a trace's waterfall, run the prompt playground. Screenshots at
 * 1280 px and phone width go to test-artifacts/console/.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { chat, errorCode } from '../policy/support.js';
import { MASTER, failedPerson, recordSampleTrace, startConsoleGateway, startPausedRun, type ConsoleGateway } from './support.js';
import { CHROMIUM, DESKTOP, NO_SIDEWAYS_SCROLL, PHONE, SHOTS, auditA11y, shot, waitUntil } from './browser-support.js';

/** The number shown in a stat card (`[data-metric=…]`), parsed from its formatted text. */
async function metric(page: Page, id: string): Promise<number> {
  const text = await page.locator(`[data-metric="${id}"]`).innerText();
  return Number(text.replace(/[^0-9.]/g, ''));
}

/** A streamed chat completion, read to its end. */
async function streamChat(url: string, content: string): Promise<void> {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${MASTER}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'openai/gpt-4o-mini', stream: true, messages: [{ role: 'user', content }] }),
  });
  assert.equal(res.status, 200);
  assert.match(await res.text(), /data: \[DONE\]/);
}

/** "123 requests since start", under the requests/s card. */
async function requestsSinceStart(page: Page): Promise<number> {
  const text = await page.locator('[data-metric="requests-per-second"]').locator('xpath=..').locator('.stat-sub').innerText();
  return Number(text.replace(/[^0-9]/g, ''));
}


describe('console in a browser', () => {
  let gw: ConsoleGateway;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}: install Debian's chromium package (apt-get install chromium) or set CONDUIT_CHROMIUM`);
    mkdirSync(SHOTS, { recursive: true });
    gw = await startConsoleGateway({ tracing: true, agents: true, sampleIntervalMs: 250 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    context = await browser.newContext({ viewport: DESKTOP });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
  });

  after(async () => {
    await browser?.close();
    await gw?.close();
  });

  test('log in: a wrong key is refused, the right one opens the overview with an HttpOnly strict cookie', async () => {
    await page.goto(`${gw.url}/console`);
    await page.getByLabel('Master key').fill('not-the-key');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('Wrong master key.').waitFor();
    await shot(page, 'login-1280');
    await page.getByLabel('Master key').fill(MASTER);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'conduit_console');
    assert.ok(session);
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Strict');
    assert.equal(session.path, '/console');
    assert.equal(await page.evaluate('document.cookie'), '', 'the session is out of script reach');
  });

  test('live numbers move while a load runs', async () => {
    await page.locator('[data-metric="requests-per-second"]').waitFor();
    const startTotal = await requestsSinceStart(page);
    // A small load: 4 concurrent callers for ~3 s.
    const until = Date.now() + 3000;
    let sent = 0;
    const load = Promise.all(
      Array.from({ length: 4 }, async () => {
        while (Date.now() < until) {
          // Half of them streamed, so time to first token has observations too.
          if (sent % 2 === 0) assert.equal((await chat(gw.url, MASTER, `load ${sent++}`)).status, 200);
          else await streamChat(gw.url, `load ${sent++}`);
        }
      }),
    );
    await waitUntil(async () => (await metric(page, 'requests-per-second')) > 0, 8000, 'requests/s above 0 during the load');
    await load;
    assert.ok((await metric(page, 'requests-per-second')) > 0);
    await waitUntil(async () => (await requestsSinceStart(page)) >= startTotal + sent, 8000, 'every load request counted');
    assert.notEqual(await page.locator('[data-metric="latency-p95"]').innerText(), '—');
    assert.notEqual(await page.locator('[data-metric="ttft-p50"]').innerText(), '—');
    await auditA11y(page, 'the overview');
    await shot(page, 'overview-1280');
  });

  test('emergency stop with confirmation, a model call refused, then resume', async () => {
    await page.getByRole('button', { name: 'Emergency stop' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Reason (for the audit log)').fill('browser test stop');
    await dialog.getByRole('button', { name: 'Stop all traffic' }).click();
    await page.locator('#stop-state[data-stopped="true"]').waitFor();
    await page.getByText('EMERGENCY STOP ACTIVE').waitFor();
    await auditA11y(page, 'the overview during a stop');
    const refused = await chat(gw.url, MASTER, 'during the stop');
    assert.equal(refused.status, 503);
    assert.equal(errorCode(refused), 'emergency_stop');
    await shot(page, 'overview-stopped-1280');
    await page.getByRole('button', { name: 'Resume traffic' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Resume traffic' }).click();
    await page.locator('#stop-state[data-stopped="false"]').waitFor();
    assert.equal((await chat(gw.url, MASTER, 'after resume')).status, 200);
  });

  test('dead letters: see each failed attempt, a wrong correction is refused, a right one resolves', async () => {
    const dlq = gw.pg.policies.dlq!;
    const id = await dlq.add(failedPerson('Ann, seventy-one'));
    await page.getByRole('link', { name: 'Dead letters' }).click();
    await page.locator(`[data-dlq-item="${id}"]`).click();
    await page.getByRole('heading', { name: 'Failed attempts (2)' }).waitFor();
    await page.getByText('Parse error: no JSON found').waitFor();
    const editor = page.getByLabel('Corrected object (JSON)');
    await editor.fill('{"name": "Ann", "age": "seventy-one"}');
    await page.getByRole('button', { name: 'Resolve with this object' }).click();
    await page.locator('#resolve-result .error').waitFor();
    assert.equal((await dlq.get(id))?.status, 'pending');
    await auditA11y(page, 'a dead letter');
    await shot(page, 'dlq-item-1280');
    await editor.fill('{"name": "Ann", "age": 71}');
    await page.getByRole('button', { name: 'Resolve with this object' }).click();
    await page.getByRole('heading', { name: 'Dead letters' }).waitFor();
    const stored = await dlq.get(id);
    assert.equal(stored?.status, 'resolved');
    assert.deepEqual(stored?.resolution, { name: 'Ann', age: 71 });
  });

  test('keys: create one (secret shown once) and see it listed', async () => {
    await page.getByRole('link', { name: 'Keys & spend' }).click();
    await page.getByLabel('Name').fill('browser-made');
    await page.getByLabel('Monthly budget (USD)').fill('12.5');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = await page.locator('#new-key-secret').innerText();
    assert.match(secret, /^ck-/);
    await page.getByRole('cell', { name: 'browser-made', exact: true }).waitFor();
    assert.equal((await chat(gw.url, secret, 'from the new key')).status, 200);
    await auditA11y(page, 'keys');
    await shot(page, 'keys-1280');
  });

  test('requests list and a trace as a waterfall', async () => {
    await page.getByRole('link', { name: 'Requests' }).click();
    await page.locator('#request-filters').waitFor();
    await page.getByRole('cell', { name: 'openai/gpt-4o-mini' }).first().waitFor();
    await page.getByLabel('Status').selectOption('error');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('Nothing to show.').waitFor();
    await page.getByLabel('Status').selectOption('');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('cell', { name: 'openai/gpt-4o-mini' }).first().waitFor();
    await shot(page, 'requests-1280');

    const traceId = await recordSampleTrace(gw.tracer!, 'key-browser');
    await page.getByRole('link', { name: 'Traces' }).click();
    await page.getByLabel('Key id').fill('key-browser');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator(`[data-trace="${traceId}"]`).click();
    await page.getByRole('heading', { name: `Trace ${traceId}` }).waitFor();
    await page.locator('[data-span]').first().waitFor();
    assert.equal(await page.locator('[data-span]').count(), 4);
    assert.equal(await page.locator('.wf-bar.error').count(), 1, 'the failed attempt is marked');
    await auditA11y(page, 'a trace');
    await shot(page, 'trace-1280');
  });

  test('pending approvals: approve a paused tool call and the run completes', async () => {
    const runId = await startPausedRun(gw.agentsUrl!);
    await page.getByRole('link', { name: 'Approvals' }).click();
    const card = page.locator('[data-approval]').filter({ hasText: runId });
    await card.getByText('25% of 1200').first().waitFor();
    await auditA11y(page, 'approvals');
    await shot(page, 'approvals-1280');
    await card.getByLabel('Reason (optional)').fill('checked by the browser test');
    await card.getByRole('button', { name: 'Approve' }).click();
    await page.getByText('No tool calls are waiting for approval.').waitFor();
    const run = (await (await fetch(`${gw.agentsUrl!}/v1/runs/${runId}`)).json()) as { status: string; output: string };
    assert.equal(run.status, 'completed');
    assert.equal(run.output, '25% of 1200 is 300.');
  });

  test('prompt playground runs a registry prompt against a configured model', async () => {
    await page.getByRole('link', { name: 'Playground' }).click();
    await page.getByLabel('Prompt', { exact: true }).selectOption('support/triage');
    await page.getByLabel('ticket', { exact: true }).fill('I was charged twice this month');
    await page.getByLabel('Model', { exact: true }).fill('openai/gpt-4o-mini');
    await page.getByRole('button', { name: 'Run' }).click();
    assert.equal(await page.locator('#pg-result').innerText(), '{"category":"billing","priority":"p2","reason":"refund"}');
    assert.match(JSON.stringify(gw.upstream.requests.at(-1)?.body), /charged twice/);
    await auditA11y(page, 'the playground');
    await shot(page, 'playground-1280');
  });

  test('phone width: the same pages stay usable', async () => {
    const phone = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
    await phone.addCookies(await context.cookies());
    const p = await phone.newPage();
    p.setDefaultTimeout(10_000);
    await p.goto(`${gw.url}/console/#/overview`);
    await p.locator('[data-metric="requests-per-second"]').waitFor();
    // Nothing wider than the screen: the page does not scroll sideways.
    assert.ok(await p.evaluate(NO_SIDEWAYS_SCROLL));
    await p.getByRole('button', { name: 'Emergency stop' }).waitFor();
    await shot(p, 'overview-phone');
    await p.goto(`${gw.url}/console/#/dlq`);
    await p.getByRole('heading', { name: 'Dead letters' }).waitFor();
    await shot(p, 'dlq-phone');
    await p.goto(`${gw.url}/console/#/keys`);
    await p.getByRole('cell', { name: 'browser-made', exact: true }).waitFor();
    assert.ok(await p.evaluate(NO_SIDEWAYS_SCROLL));
    await shot(p, 'keys-phone');
    await phone.close();
  });

  test('log out returns to the login form', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('Master key').waitFor();
    const res = await page.evaluate(`fetch('api/overview').then((r) => r.status)`);
    assert.equal(res, 401);
  });
});
