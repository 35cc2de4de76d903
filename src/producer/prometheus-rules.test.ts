import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createProducerMetrics } from './metrics.js';

/**
 * deploy/prometheus/producer-rules.yml, checked by Prometheus's promtool (its unit tests
 * fire every alert and hold back a near miss) and against the metrics this module
 * exports: a rule naming a metric or label that does not exist would never fire.
 */
const repo = fileURLToPath(new URL('../../', import.meta.url));
const dir = join(repo, 'deploy/prometheus');

function promtool(...args: string[]) {
  const PATH = [join(repo, '.test-data/tools'), process.env['PATH']].join(delimiter);
  const r = spawnSync('promtool', args, {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, PATH },
  });
  if (r.error) throw new Error(`promtool is needed for this test: ${r.error.message}`);
  return r;
}

describe('producer Prometheus rules', () => {
  it('pass promtool check and every unit test in producer-rules.test.yml', () => {
    const check = promtool('check', 'rules', 'producer-rules.yml');
    expect(check.status, check.stdout + check.stderr).toBe(0);
    const test = promtool('test', 'rules', 'producer-rules.test.yml');
    expect(test.status, test.stdout + test.stderr).toBe(0);
    expect(test.stdout).toContain('SUCCESS');
  });

  it('name only metrics and labels the module exports', () => {
    const registry = new Registry();
    createProducerMetrics(registry);
    const labelsOf = (name: string) =>
      (registry.getSingleMetric(name) as unknown as { labelNames: string[] } | undefined)
        ?.labelNames;
    const rules = parse(readFileSync(join(dir, 'producer-rules.yml'), 'utf8')) as {
      groups: { rules: { alert: string; expr: string }[] }[];
    };
    const tests = readFileSync(join(dir, 'producer-rules.test.yml'), 'utf8');
    const exprs = rules.groups.flatMap((g) => g.rules.map((r) => r.expr));
    const problems: string[] = [];
    const used = new Set<string>();
    for (const text of [...exprs, tests]) {
      for (const m of text.matchAll(/\b(vaultwire_producer_[a-z_]+)(\{[^}]*\})?/g)) {
        const name = m[1] ?? '';
        used.add(name);
        const labels = labelsOf(name);
        if (!labels) {
          problems.push(`${name}: not exported`);
          continue;
        }
        for (const l of (m[2] ?? '').matchAll(/([a-z_]+)="/g)) {
          if (l[1] !== 'instance' && !labels.includes(l[1] ?? '')) {
            problems.push(`${name}: no label ${l[1]}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
    // Every alert the issue asks for is there.
    expect(rules.groups.flatMap((g) => g.rules.map((r) => r.alert))).toEqual(
      expect.arrayContaining([
        'ProducerDoubleSignAttempt',
        'ProducerTwoRegionsActive',
        'ProducerNoActiveRegion',
        'ProducerNoSignatures',
        'ProducerLeaseRenewalsFailing',
        'ProducerLeaseFlapping',
      ]),
    );
    expect(used.size).toBeGreaterThanOrEqual(6);
  });
});
