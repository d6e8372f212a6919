/**
 * `conduit incident serve` with the example configuration (examples/incident/conduit.yaml) and the
 * client subcommands against it: alert → list → show → approve → resolve, all through main().
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../../src/cli/main.js';
import { captureIo, runCli } from '../../support/cli.js';

const cwd = mkdtempSync(join(tmpdir(), 'conduit-incident-cli-'));
after(() => rmSync(cwd, { recursive: true, force: true }));

const examples = fileURLToPath(new URL('../../../examples/incident/', import.meta.url));
// The example as shipped, with its runbooks directory made absolute (the test runs in a temp dir).
writeFileSync(join(cwd, 'conduit.yaml'), readFileSync(join(examples, 'conduit.yaml'), 'utf8').replace('runbooks_dir: examples/incident/runbooks', `runbooks_dir: ${join(examples, 'runbooks')}`));

const run = (argv: string[]) => runCli(argv, { cwd, env: { CONDUIT_LOG_LEVEL: 'silent' } });

describe('conduit incident', () => {
  test('usage errors exit 2', async () => {
    assert.equal((await run(['incident'])).code, 2);
    assert.equal((await run(['incident', 'alert', 'a=b'])).code, 2);
    assert.equal((await run(['incident', 'resolve', 'inc_1'])).code, 2);
    assert.equal((await run(['incident', 'alert', 'X', '--severity', 'huge'])).code, 2);
  });

  test('serve with the example config; alert, list, show, approve, resolve from the CLI', { timeout: 60_000 }, async () => {
    const shutdown = new AbortController();
    const serve = captureIo({ cwd, env: { CONDUIT_LOG_LEVEL: 'silent' }, signal: shutdown.signal });
    const exit = main(['incident', 'serve', '--port', '0', '--host', '127.0.0.1'], serve.io);
    try {
      const url = await serve.listeningUrl();
      writeFileSync(join(cwd, 'checkout.log'), ['GET /cart 200', 'ERROR worker pool saturated: 64/64 busy', JSON.stringify({ time: new Date().toISOString(), level: 'error', msg: 'ERROR queue wait 9s' }), ''].join('\n'));
      const logs = await run(['incident', 'logs', 'checkout.log', '--service', 'checkout', '--url', url]);
      assert.equal(logs.stdout, 'stored 3 log lines for checkout\n', logs.stderr);
      const change = await run(['incident', 'change', 'checkout', '--summary', 'checkout v2.4.1', '--url', url]);
      assert.equal(change.code, 0, change.stderr);
      const a = await run(['incident', 'alert', 'HighCPU', 'service=checkout', 'host=web-1', 'env=prod', 'team=sre', '--severity', 'critical', '--summary', 'CPU above 90%', '--url', url]);
      assert.equal(a.code, 0, a.stderr);
      const id = /^opened (inc_\w+)/.exec(a.stdout)?.[1];
      assert.ok(id, a.stdout);
      const b = await run(['incident', 'alert', 'HighCPU', 'service=checkout', 'host=web-2', 'env=prod', 'team=sre', '--severity', 'critical', '--url', url]);
      assert.equal(b.stdout.trim(), `attached ${id}`);
      const muted = await run(['incident', 'alert', 'Watchdog', 'service=monitoring', '--url', url]);
      assert.match(muted.stdout, /^muted \(noise 1: 'Watchdog' is in incident.correlation.mute_alerts\)/);

      const list = await run(['incident', 'list', '--url', url]);
      assert.match(list.stdout, new RegExp(`INC-1 +${id} +open +critical +2 alerts`));
      // The pipeline runs after the webhook answered: wait for the approval request.
      let view:
        | { approvals: { approvalId: string; status: string }[]; actions: { kind: string; status: string; riskScore: number }[]; incident: { summary: { method: string } | null }; timeline: { type: string; data: { text?: string } }[] }
        | undefined;
      for (let i = 0; i < 100 && (view?.timeline.filter((e) => e.type === 'finding').length ?? 0) < 2; i++) {
        await new Promise((r) => setTimeout(r, 100));
        view = JSON.parse((await run(['incident', 'show', id, '--url', url])).stdout) as typeof view;
      }
      assert.equal(view?.incident.summary?.method, 'rules');
      const findings = view?.timeline.filter((e) => e.type === 'finding').map((e) => e.data.text ?? '') ?? [];
      assert.ok(findings.some((f) => f.includes('deploy of checkout') && f.includes('checkout v2.4.1')), findings.join('\n'));
      assert.ok(findings.some((f) => f.startsWith('2 error line(s) in conduit for checkout')), findings.join('\n'));
      const remediation = view?.actions.find((x) => x.kind === 'remediation');
      assert.equal(remediation?.status, 'awaiting_approval');
      // Base 0.4 + production 0.2 + critical 0.1, plus 0.1 when the second host's alert had already
      // joined the incident as the (background) pipeline proposed the remediation: the CLI's two
      // alerts race the pipeline, so either is right; anything else is not.
      assert.ok(remediation?.riskScore === 0.7 || remediation?.riskScore === 0.8, `risk ${remediation?.riskScore}`);
      const approvalId = view?.approvals[0]?.approvalId ?? '';
      const approved = await run(['incident', 'approve', id, approvalId, '--reason', 'looks safe', '--url', url]);
      assert.equal(approved.code, 0, approved.stderr);
      assert.equal((JSON.parse(approved.stdout) as { action: { status: string } }).action.status, 'executed');
      const denied = await run(['incident', 'deny', id, approvalId, '--url', url]);
      assert.equal(denied.code, 1);
      assert.match(denied.stderr, /409: Approval .* was already decided: approved/);
      const resolved = await run(['incident', 'resolve', id, '--note', 'Restarted checkout workers', '--url', url]);
      assert.equal((JSON.parse(resolved.stdout) as { status: string }).status, 'resolved');
      const metrics = await (await fetch(`${url}/metrics`)).text();
      assert.match(metrics, /conduit_incident_time_to_resolve_seconds_count\{severity="critical"\} 1/);
    } finally {
      shutdown.abort();
      assert.equal(await exit, 0);
    }
  });
});
