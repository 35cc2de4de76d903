import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createNodeopsMetrics } from './metrics.js';

/**
 * deploy/grafana/nodeops-*.json: every query names a metric and labels the module
 * exports (a panel on a misspelt metric stays empty and nobody notices), every `$var`
 * is a template variable of the dashboard, and the panels fit Grafana's 24-column grid.
 */
const dir = fileURLToPath(new URL('../../deploy/grafana/', import.meta.url));

interface Dashboard {
  uid: string;
  title: string;
  templating: { list: { name: string; query?: string }[] };
  panels: {
    id: number;
    title: string;
    gridPos: { x: number; y: number; w: number; h: number };
    targets: { expr: string }[];
  }[];
}

async function exported(): Promise<Map<string, string[]>> {
  const registry = new Registry();
  createNodeopsMetrics(registry);
  return new Map(
    (await registry.getMetricsAsJSON()).map((m) => [
      m.name,
      (registry.getSingleMetric(m.name) as unknown as { labelNames: string[] }).labelNames,
    ]),
  );
}

describe('nodeops Grafana dashboards', () => {
  const files = readdirSync(dir).filter((f) => /^nodeops-.*\.json$/.test(f));

  it('a fleet overview and a node detail dashboard are shipped', () => {
    const titles = files.map(
      (f) => (JSON.parse(readFileSync(join(dir, f), 'utf8')) as Dashboard).title,
    );
    expect(titles.sort()).toEqual([
      'Vaultwire node operations: fleet',
      'Vaultwire node operations: node detail',
    ]);
  });

  it.each(files)(
    '%s queries only exported metrics and labels, and its own variables',
    async (f) => {
      const defined = await exported();
      const d = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Dashboard;
      const variables = new Set(d.templating.list.map((v) => v.name));
      const problems: string[] = [];
      const exprs = [
        ...d.panels.flatMap((p) => p.targets.map((t) => ({ where: p.title, expr: t.expr }))),
        ...d.templating.list.flatMap((v) =>
          v.query?.includes('vaultwire_') ? [{ where: `variable ${v.name}`, expr: v.query }] : [],
        ),
      ];
      let metrics = 0;
      for (const { where, expr } of exprs) {
        const named: string[] = [];
        for (const m of expr.matchAll(/\b(vaultwire_nodeops_[a-z_]+)(\{[^}]*\})?/g)) {
          metrics++;
          const labels = defined.get(m[1] ?? '');
          if (!labels) {
            problems.push(`${where}: ${m[1]} is not exported`);
            continue;
          }
          named.push(...labels);
          for (const l of (m[2] ?? '').matchAll(/([a-z_]+)\s*=~?"/g)) {
            if (!labels.includes(l[1] ?? ''))
              problems.push(`${where}: ${m[1]} has no label ${l[1]}`);
          }
        }
        for (const m of expr.matchAll(/by \(([^)]*)\)/g)) {
          for (const l of (m[1] ?? '').split(',').map((s) => s.trim())) {
            if (!named.includes(l)) problems.push(`${where}: grouped by unknown label ${l}`);
          }
        }
        for (const m of expr.matchAll(/\$([a-z_]+)/g)) {
          if (!variables.has(m[1] ?? '')) problems.push(`${where}: no variable $${m[1]}`);
        }
      }
      expect(problems).toEqual([]);
      expect(metrics).toBeGreaterThanOrEqual(d.panels.length);
      const ids = d.panels.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const p of d.panels) {
        expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
        expect(p.targets.length, p.title).toBeGreaterThan(0);
      }
    },
  );
});
