/**
 * The Incidents page in headless Chromium: an Alertmanager-style burst (delivered twice) reaches
 * the incident routes; the page lists exactly one incident, its detail shows the timeline and the
 * risky remediation held for approval; Approve (keyboard, confirmation dialog, reason) runs the
 * remediation exactly once against a local webhook receiver. A new incident appears without a
 * reload (live refresh). Screenshots at 1280 px and phone width go to test-artifacts/console/.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { MASTER, startConsoleGateway, type ConsoleGateway } from './support.js';
import { CHROMIUM, DESKTOP, NO_SIDEWAYS_SCROLL, PHONE, SHOTS, auditA11y, shot, waitUntil } from './browser-support.js';
import { REMEDIATION_PATH, alertmanagerBurst, deliverAlerts, type IncidentApp } from './incident-support.js';

describe('console incidents page in a browser', () => {
  let gw: ConsoleGateway;
  let app: IncidentApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let incidentId: string;

  const remediations = () => app.receiver.received.filter((r) => r.path === REMEDIATION_PATH);

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}: install Debian's chromium package (apt-get install chromium) or set CONDUIT_CHROMIUM`);
    mkdirSync(SHOTS, { recursive: true });
    gw = await startConsoleGateway({ incidents: true });
    assert.ok(gw.incidents);
    app = gw.incidents;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    context = await browser.newContext({ viewport: DESKTOP });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
  });

  after(async () => {
    await browser?.close();
    await gw?.close();
  });

  test('an alert burst, replayed, shows as exactly one incident in the list', async () => {
    const burst = alertmanagerBurst(['web-1', 'web-2', 'web-3']);
    const first = await deliverAlerts(app, burst);
    assert.equal(first.opened.length, 1);
    assert.deepEqual((await deliverAlerts(app, burst)).opened, []);
    incidentId = first.opened[0] ?? '';

    await page.goto(`${gw.url}/console/#/incidents`);
    await page.getByLabel('Master key').fill(MASTER);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('[data-incident]').first().waitFor();
    assert.equal(await page.locator('[data-incident]').count(), 1);
    const row = page.locator('tbody tr').filter({ has: page.locator(`[data-incident="${incidentId}"]`) });
    const cells = await row.locator('td').allInnerTexts();
    assert.match(cells[0] ?? '', /^INC-\d+: /);
    assert.deepEqual(cells.slice(1, 4), ['open', 'critical', 'checkout']);
    assert.equal(cells[5], '3', 'three alerts, the replay counted once');
    assert.equal(cells[6], '1', 'one pending approval');
    assert.equal(await page.locator('[data-nav="incidents"]').getAttribute('aria-current'), 'page');
    await auditA11y(page, 'the incident list');
    await shot(page, 'incidents-1280');
  });

  test('the detail shows the timeline and holds the risky remediation; Approve runs it exactly once', async () => {
    await page.locator(`[data-incident="${incidentId}"]`).click();
    await page.locator('.timeline li[data-event="approval_requested"]').waitFor();
    const events = await page.locator('.timeline li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-event')));
    for (const t of ['incident_opened', 'alert', 'classified', 'ticket_created', 'notification_sent', 'remediation_proposed', 'approval_requested']) assert.ok(events.includes(t), `timeline shows ${t}`);
    assert.equal(events.filter((t) => t === 'incident_opened').length, 1);
    assert.equal(await page.locator('[data-incident-approval]').count(), 1);
    assert.equal(remediations().length, 0, 'held until approved');
    assert.doesNotMatch(await page.locator('#incident-detail').innerText(), /\bnull\b|undefined/);
    await auditA11y(page, 'the incident detail');
    await shot(page, 'incident-detail-1280');

    // Cancelling the confirmation decides nothing.
    await page.getByRole('button', { name: 'Deny' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await page.locator('[data-incident-approval]').count(), 1);

    // Keyboard: the Approve button takes focus and Enter opens the dialog with the reason field focused.
    const approve = page.getByRole('button', { name: 'Approve' });
    await approve.focus();
    assert.equal(await approve.evaluate((el) => el === el.ownerDocument.activeElement), true);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    const reason = dialog.getByLabel('Reason (optional)');
    await reason.waitFor();
    assert.equal(await reason.evaluate((el) => el === el.ownerDocument.activeElement), true);
    await auditA11y(page, 'the approval dialog');
    await reason.fill('checkout 5xx burning the error budget');
    await dialog.getByRole('button', { name: 'Approve and run' }).click();

    await page.locator('[data-pending-approvals="0"]').waitFor();
    await page.locator('.timeline li[data-event="remediation_executed"]').waitFor();
    await page.getByText('Approved by admin: checkout 5xx burning the error budget').waitFor();
    assert.equal(await page.locator('[data-action-status="executed"]').count(), 1);
    await app.service.whenIdle();
    const calls = remediations();
    assert.equal(calls.length, 1, 'the remediation ran exactly once');
    assert.deepEqual(calls[0]?.body, { service: 'checkout', incident: incidentId });
    await auditA11y(page, 'the incident detail after approval');
    await shot(page, 'incident-detail-approved-1280');
  });

  test('live refresh: a new incident appears in the open list without a reload', async () => {
    await page.getByRole('link', { name: '← All incidents' }).click();
    await page.getByLabel('Status').selectOption('open');
    await page.locator('[data-incident]').first().waitFor();
    await deliverAlerts(app, alertmanagerBurst(['cart-1'], 'HighErrorRate', 'cart'));
    await waitUntil(async () => (await page.locator('[data-incident]').count()) === 2, 12_000, 'the second incident to appear');
    assert.equal(remediations().length, 1, 'nothing else ran');
  });

  test('phone width: list and detail stay usable without sideways scrolling', async () => {
    const phone = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
    await phone.addCookies(await context.cookies());
    const p = await phone.newPage();
    p.setDefaultTimeout(10_000);
    await p.goto(`${gw.url}/console/#/incidents`);
    await p.locator('[data-incident]').first().waitFor();
    assert.ok(await p.evaluate(NO_SIDEWAYS_SCROLL));
    await shot(p, 'incidents-phone');
    await p.goto(`${gw.url}/console/#/incidents/${incidentId}`);
    await p.locator('.timeline li[data-event="remediation_executed"]').waitFor();
    assert.ok(await p.evaluate(NO_SIDEWAYS_SCROLL));
    await shot(p, 'incident-detail-phone');
    await phone.close();
  });
});
