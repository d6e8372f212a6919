import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { GatewayMetrics } from '../../src/observability/metrics.js';
import { defaultAlertRules } from '../../src/observability/alerting/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const RULES = `${root}ops/prometheus/conduit-rules.yml`;
const RULE_TESTS = `${root}ops/prometheus/conduit-rules.test.yml`;
const DASHBOARD = `${root}ops/grafana/conduit-dashboard.json`;

interface PromRule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: string };
}

const promRules = (): PromRule[] => (parse(readFileSync(RULES, 'utf8')) as { groups: { rules: PromRule[] }[] }).groups.flatMap((g) => g.rules);
const hasPromtool = spawnSync('promtool', ['--version']).status === 0;

/** Every Conduit metric family a PromQL text names (histogram series reduced to their family). */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/\b((?:llm|dlq|conduit)_[a-z_]+)\b/g)].map((m) => m[1]!.replace(/_(bucket|sum|count)$/, ''));
}

async function exposedFamilies(): Promise<Set<string>> {
  const metrics = new GatewayMetrics({ defaultMetrics: false });
  metrics.trackDeadLetterQueue({ stats: () => Promise.resolve({ pending: 0, oldestPendingAgeMs: 0 }), alertsDue: () => Promise.resolve(false) });
  const text = await metrics.metrics();
  return new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
}

describe('ops/prometheus rules and ops/grafana dashboard', () => {
  test('promtool check rules and promtool test rules pass', { skip: hasPromtool ? false : 'promtool not installed (Debian package `prometheus`; .ci/run installs it)' }, () => {
    const check = spawnSync('promtool', ['check', 'rules', RULES], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /SUCCESS: 8 rules found/);
    const unit = spawnSync('promtool', ['test', 'rules', RULE_TESTS], { encoding: 'utf8' });
    assert.equal(unit.status, 0, unit.stdout + unit.stderr);
  });

  test('the Prometheus rules mirror the in-process rules: same names, severities and for durations', () => {
    const byName = new Map(promRules().map((r) => [r.alert, r]));
    const toMs = (d: string | undefined) => (d === undefined ? 0 : Number(/^(\d+)m$/.exec(d)?.[1] ?? NaN) * 60_000);
    for (const rule of defaultAlertRules()) {
      if (rule.key === 'budget_use') continue; // no budget metric on /metrics: in-process only
      const prom = byName.get(rule.name);
      assert.ok(prom, `${rule.name} is in conduit-rules.yml`);
      assert.equal(prom.labels.severity, rule.severity, rule.name);
      assert.equal(toMs(prom.for), rule.forMs, rule.name);
      assert.ok(prom.expr.includes(String(rule.threshold)), `${rule.name}: threshold ${rule.threshold} in ${prom.expr}`);
    }
  });

  test('every metric the rules and the dashboard query is one Conduit exposes', async () => {
    const exposed = await exposedFamilies();
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { uid: string; panels: { id: number; title: string; targets: { expr: string }[] }[] };
    const exprs = [...promRules().map((r) => r.expr), ...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr))];
    const used = new Set(exprs.flatMap(metricNames));
    assert.ok(used.size >= 8);
    for (const name of used) assert.ok(exposed.has(name), `${name} is exposed on /metrics`);
    assert.equal(dashboard.uid, 'conduit-overview');
    assert.equal(new Set(dashboard.panels.map((p) => p.id)).size, dashboard.panels.length, 'panel ids are unique');
    assert.ok(dashboard.panels.every((p) => p.targets.length > 0 && p.title !== ''));
  });
});
