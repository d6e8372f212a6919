/** Shared pieces of the console's browser tests: Chromium, viewports, screenshots, the accessibility audit, polling. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from './support.js';

export const CHROMIUM = process.env.CONDUIT_CHROMIUM ?? '/usr/bin/chromium';
export const SHOTS = join(REPO_ROOT, 'test-artifacts', 'console');
export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };
/** True when nothing is wider than the viewport (the page never scrolls sideways). */
export const NO_SIDEWAYS_SCROLL = 'document.documentElement.scrollWidth <= window.innerWidth + 1';

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/**
 * WCAG AA checks run in the page (a string: this Node project has no DOM types): every visible
 * text's contrast against its effective background (4.5:1, or 3:1 for large text), and a label for
 * every form control. Returns the failures as readable lines.
 */
export const A11Y_AUDIT = `(() => {
  const lum = (c) => { const [r, g, b] = c.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const rgba = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
  const bgOf = (el) => { for (let e = el; e; e = e.parentElement) { const c = rgba(getComputedStyle(e).backgroundColor); if (c.length === 3 || c[3] > 0) return c.slice(0, 3); } return [255, 255, 255]; };
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('[hidden], dialog:not([open])')) continue;
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim() !== '');
    if (!own || el.getClientRects().length === 0) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility === 'hidden' || Number(cs.opacity) === 0) continue;
    const fg = rgba(cs.color).slice(0, 3);
    const [l1, l2] = [lum(fg), lum(bgOf(el))].sort((a, b) => b - a);
    const ratio = (l1 + 0.05) / (l2 + 0.05);
    const size = parseFloat(cs.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(cs.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) out.push('contrast ' + ratio.toFixed(2) + ' for "' + el.textContent.trim().slice(0, 40) + '"');
  }
  for (const c of document.querySelectorAll('input:not([type=hidden]):not([hidden]), select, textarea')) {
    if (c.closest('[hidden]')) continue;
    if (c.labels.length === 0 && !c.getAttribute('aria-label')) out.push('no label for #' + c.id);
  }
  return out;
})()`;

export async function auditA11y(page: Page, where: string): Promise<void> {
  const failures = (await page.evaluate(A11Y_AUDIT)) as string[];
  assert.deepEqual(failures, [], `accessibility problems on ${where}`);
}

/**
 * Polls from Node: the page's CSP (script-src 'self', no eval) rightly refuses the string
 * functions page.waitForFunction would inject.
 */
export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
}
