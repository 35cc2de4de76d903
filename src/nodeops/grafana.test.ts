import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createNodeopsMetrics } from './metrics.js';
import { FAMILIES, type Family } from './settings.js';

/**
 * deploy/grafana/nodeops-*.json (all families, and a fleet and node dashboard per family):
 * every query names a metric and labels the module
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

  it('a fleet overview and a node detail dashboard are shipped for all families and per family', () => {
    const titles = files.map(
      (f) => (JSON.parse(readFileSync(join(dir, f), 'utf8')) as Dashboard).title,
    );
    expect(titles.sort()).toEqual(
      [
        'Vaultwire node operations: fleet',
        'Vaultwire node operations: node detail',
        ...['CometBFT/Tendermint', 'EOS', 'EVM', 'XRP Ledger'].flatMap((f) => [
          `Vaultwire node operations: ${f} fleet`,
          `Vaultwire node operations: ${f} node detail`,
        ]),
      ].sort(),
    );
  });

  // What each family's dashboards must show beyond height, lag and peers: the signals the
  // family's own checks read (docs/nodeops.md, "Metrics and dashboards per family").
  const familyMetrics: Record<Family, string[]> = {
    cometbft: [
      'vaultwire_nodeops_validator_missed_precommits_consecutive',
      'vaultwire_nodeops_validator_missed_precommits_window',
      'vaultwire_nodeops_validator_active',
      'vaultwire_nodeops_validator_jailed',
    ],
    evm: ['vaultwire_nodeops_node_syncing', 'vaultwire_nodeops_node_info'],
    eos: [
      'vaultwire_nodeops_producer_missed_rounds',
      'vaultwire_nodeops_validator_active',
      'vaultwire_nodeops_node_lag_blocks',
    ],
    xrpl: ['vaultwire_nodeops_xrpl_server_state', 'vaultwire_nodeops_node_height_age_seconds'],
  };
  it.each(FAMILIES.flatMap((f) => [`${f}-fleet`, `${f}-node`]))(
    'nodeops-%s.json shows only its family’s nodes and its family’s signals',
    (name) => {
      const family = name.split('-')[0] as Family;
      const d = JSON.parse(readFileSync(join(dir, `nodeops-${name}.json`), 'utf8')) as Dashboard;
      const chain = d.templating.list.find((v) => v.name === 'chain');
      expect(chain?.query).toContain(`vaultwire_nodeops_node_info{family="${family}"`);
      const exprs = d.panels.flatMap((p) => p.targets.map((t) => t.expr));
      for (const e of exprs) expect(e, e).toMatch(/chain=~"\$chain"|vaultwire_nodeops_sender/);
      for (const m of familyMetrics[family]) {
        expect(
          exprs.some((e) => e.includes(m)),
          `${name} has no panel on ${m}`,
        ).toBe(true);
      }
    },
  );

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
