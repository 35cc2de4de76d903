import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createNodeopsMetrics } from './metrics.js';

/**
 * deploy/prometheus/nodeops-rules.yml, checked by Prometheus's own promtool (Debian's
 * `prometheus` package) and against the metrics the module exports: a rule about a
 * metric or label that does not exist evaluates to nothing and never fires. The
 * Alertmanager example is checked by amtool (Debian's `prometheus-alertmanager`).
 */
const repo = fileURLToPath(new URL('../../', import.meta.url));
const dir = join(repo, 'deploy/prometheus');

function tool(name: string, ...args: string[]) {
  const PATH = [join(repo, '.test-data/tools'), process.env['PATH']].join(delimiter);
  const r = spawnSync(name, args, { cwd: dir, encoding: 'utf8', env: { ...process.env, PATH } });
  if (r.error) throw new Error(`${name} is needed for this test: ${r.error.message}`);
  return r;
}

describe('nodeops Prometheus rules', () => {
  it('pass promtool check and every unit test in nodeops-rules.test.yml', () => {
    const check = tool('promtool', 'check', 'rules', 'nodeops-rules.yml');
    expect(check.status, check.stdout + check.stderr).toBe(0);
    const test = tool('promtool', 'test', 'rules', 'nodeops-rules.test.yml');
    expect(test.status, test.stdout + test.stderr).toBe(0);
    expect(test.stdout).toContain('SUCCESS');
  });

  it('name only metrics and labels the module exports', async () => {
    const registry = new Registry();
    createNodeopsMetrics(registry);
    const defined = new Map(
      (await registry.getMetricsAsJSON()).map((m) => [
        m.name,
        // prom-client keeps the declared label names on the metric object.
        (registry.getSingleMetric(m.name) as unknown as { labelNames: string[] }).labelNames,
      ]),
    );
    const rules = parse(readFileSync(join(dir, 'nodeops-rules.yml'), 'utf8')) as {
      groups: { rules: { expr: string }[] }[];
    };
    const tests = readFileSync(join(dir, 'nodeops-rules.test.yml'), 'utf8');
    const texts = [...rules.groups.flatMap((g) => g.rules.map((r) => r.expr)), tests];
    const problems: string[] = [];
    let seen = 0;
    for (const text of texts) {
      for (const m of text.matchAll(/\b(vaultwire_nodeops_[a-z_]+)(\{[^}]*\})?/g)) {
        seen++;
        const labels = defined.get(m[1] ?? '');
        if (!labels) {
          problems.push(`${m[1]}: not exported`);
          continue;
        }
        for (const l of (m[2] ?? '').matchAll(/([a-z_]+)="/g)) {
          if (l[1] !== 'instance' && !labels.includes(l[1] ?? ''))
            problems.push(`${m[1]}: no label ${l[1]}`);
        }
      }
      for (const m of text.matchAll(/by \(([^)]*)\)/g)) {
        for (const l of (m[1] ?? '').split(',').map((s) => s.trim())) {
          if (![...defined.values()].some((labels) => labels.includes(l)))
            problems.push(`grouped by unknown label ${l}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(seen).toBeGreaterThan(10);
  });

  it('the Alertmanager example with a Telegram receiver is valid', () => {
    const r = tool('amtool', 'check-config', 'nodeops-alertmanager.example.yml');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('SUCCESS');
  });
});
