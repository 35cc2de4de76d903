import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * The alerting and recording rules in deploy/prometheus, checked by Prometheus's own
 * `promtool` (Debian's `prometheus` package; `npm test` extracts it into .test-data/tools), and checked
 * against the code: a rule about a metric that was renamed, or a label that does not
 * exist, evaluates to nothing and never fires, which no one notices until the outage.
 */
const repo = fileURLToPath(new URL('../../', import.meta.url));
const rulesDir = join(repo, 'deploy/prometheus');

function promtool(...args: string[]) {
  // `npm test` puts a promtool it had to fetch in .test-data/tools, without installing it.
  const PATH = [join(repo, '.test-data/tools'), process.env['PATH']].join(delimiter);
  const r = spawnSync('promtool', args, {
    cwd: rulesDir,
    encoding: 'utf8',
    env: { ...process.env, PATH },
  });
  if (r.error) {
    throw new Error(
      `promtool is needed for these tests (Debian package "prometheus"; npm test extracts it into .test-data/tools): ${r.error.message}`,
    );
  }
  return r;
}

/** Every metric the code defines, with its label names, read from the sources. */
function definedMetrics(): Map<string, { labels: string[]; histogram: boolean }> {
  const out = new Map<string, { labels: string[]; histogram: boolean }>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) {
        const text = readFileSync(path, 'utf8');
        const re =
          /new (Counter|Gauge|Histogram)(?:<[^>]*>)?\(\{\s*name: '(vaultwire_[a-z0-9_]+)'([\s\S]*?)\}\)/g;
        for (const m of text.matchAll(re)) {
          const labels = /labelNames: \[([^\]]*)\]/.exec(m[3] ?? '')?.[1] ?? '';
          out.set(m[2] ?? '', {
            labels: [...labels.matchAll(/'([a-z_]+)'/g)].map((l) => l[1] ?? ''),
            histogram: m[1] === 'Histogram',
          });
        }
      }
    }
  };
  walk(join(repo, 'src'));
  return out;
}

/** `metric{label="value",...}` selectors in a PromQL expression or a series line. */
function selectors(text: string): { metric: string; labels: Record<string, string> }[] {
  const out: { metric: string; labels: Record<string, string> }[] = [];
  for (const m of text.matchAll(/\b(vaultwire_[a-z0-9_]+)(\{[^}]*\})?/g)) {
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-z_]+)\s*=~?\s*"([^"]*)"/g)) {
      labels[l[1] ?? ''] = l[2] ?? '';
    }
    out.push({ metric: m[1] ?? '', labels });
  }
  return out;
}

interface RuleFile {
  groups: { name: string; rules: { record?: string; alert?: string; expr: string }[] }[];
}
interface RuleTests {
  tests: { input_series: { series: string }[] }[];
}

describe('Prometheus rules (deploy/prometheus)', () => {
  it('pass promtool check and every unit test in vaultwire.rules.test.yml', () => {
    const check = promtool('check', 'rules', 'vaultwire.rules.yml');
    expect(check.status, check.stdout + check.stderr).toBe(0);
    const test = promtool('test', 'rules', 'vaultwire.rules.test.yml');
    expect(test.status, test.stdout + test.stderr).toBe(0);
    expect(test.stdout).toContain('SUCCESS');
  });

  it('name only metrics and labels the code exports, and real delivery outcomes', () => {
    const defined = definedMetrics();
    // Sanity: the scan found the webhook metrics, or the checks below would prove nothing.
    expect(defined.get('vaultwire_webhook_deliveries_total')?.labels).toEqual(['outcome']);
    const policy = readFileSync(join(repo, 'src/webhooks/delivery/policy.ts'), 'utf8');
    const union = /export type AttemptOutcome =([^;]*);/.exec(policy)?.[1] ?? '';
    const outcomes = [...union.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]);
    expect(outcomes).toContain('delivered');

    const rules = parse(readFileSync(join(rulesDir, 'vaultwire.rules.yml'), 'utf8')) as RuleFile;
    const tests = parse(
      readFileSync(join(rulesDir, 'vaultwire.rules.test.yml'), 'utf8'),
    ) as RuleTests;
    const texts = [
      ...rules.groups.flatMap((g) => g.rules.map((r) => r.expr)),
      ...tests.tests.flatMap((t) => t.input_series.map((s) => s.series)),
    ];
    const problems: string[] = [];
    let seen = 0;
    for (const text of texts) {
      for (const { metric, labels } of selectors(text)) {
        seen++;
        const base = metric.replace(/_(bucket|sum|count)$/, '');
        const def =
          defined.get(metric) ?? (defined.get(base)?.histogram ? defined.get(base) : undefined);
        if (!def) {
          problems.push(`${metric}: no such metric in src/`);
          continue;
        }
        for (const [label, value] of Object.entries(labels)) {
          if (label === 'instance' || (label === 'le' && metric.endsWith('_bucket'))) continue;
          if (!def.labels.includes(label)) problems.push(`${metric}: no label "${label}"`);
          if (
            label === 'outcome' &&
            base === 'vaultwire_webhook_deliveries_total' &&
            !outcomes.includes(value)
          ) {
            problems.push(`${metric}: "${value}" is not a delivery outcome`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
    expect(seen).toBeGreaterThan(20);
  });
});
