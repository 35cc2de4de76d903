import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse } from 'yaml';
import { loadConfig, MODULES, ROLES } from '../../src/modules.js';
import { scalePath } from '../../src/producer/kubernetes.js';
import { NATS_CONSUMER } from '../../src/webhooks/engine/nats/engine.js';

/**
 * The deployment in deploy/ (Kubernetes manifests, the autoscaler, the Dockerfile),
 * checked against the code it deploys. No cluster runs here, so this cannot prove the
 * manifests apply; it proves what silently breaks a deployment: a setting name the
 * program does not know (ignored, so the default runs in production), a value it
 * refuses, a role that does not exist, a probe on a port nothing serves, an autoscaler
 * reading a consumer or a rule that is not there, a pod that runs as root.
 */
const repo = fileURLToPath(new URL('../../', import.meta.url));
const deploy = join(repo, 'deploy');

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`missing: ${what}`);
  return value;
}

const kustomization = parse(readFileSync(join(deploy, 'kustomization.yaml'), 'utf8')) as {
  resources: string[];
};
const docs: Doc[] = kustomization.resources.flatMap((file) =>
  parseAllDocuments(readFileSync(join(deploy, file), 'utf8')).map((d) => d.toJS() as Doc),
);
const byKind = (kind: string) => docs.filter((d) => d['kind'] === kind);
const deployments = byKind('Deployment');
const configMap = must(
  byKind('ConfigMap').find((d) => d['metadata'].name === 'vaultwire-config'),
  'ConfigMap vaultwire-config',
);
const settingEnvs = new Set(Object.values(MODULES.settings).map((s) => s.env));
/** What the Secret carries (kubernetes/secrets.md shows how it is made). */
const secretKeys = [
  ...readFileSync(join(deploy, 'kubernetes/secrets.md'), 'utf8').matchAll(
    /--from-literal=([A-Z_]+)=/g,
  ),
].map((m) => m[1] ?? '');

describe('deploy/ (Kubernetes)', () => {
  it('lists every manifest in the kustomization', () => {
    const files = readdirSync(join(deploy, 'kubernetes')).filter((f) => f.endsWith('.yaml'));
    expect(files.map((f) => `kubernetes/${f}`).sort()).toEqual([...kustomization.resources].sort());
    expect(deployments.map((d) => d['metadata'].name).sort()).toEqual([
      'vaultwire-api',
      'vaultwire-delivery',
      'vaultwire-producer',
      'vaultwire-worker',
    ]);
  });

  it('sets only settings the program knows, to values it accepts', () => {
    const names = [
      ...Object.keys(configMap['data'] as Record<string, string>),
      ...secretKeys,
      ...deployments.flatMap((d) =>
        (d['spec'].template.spec.containers as Doc[]).flatMap((c) =>
          ((c['env'] ?? []) as Doc[]).map((e) => e['name'] as string),
        ),
      ),
    ];
    expect(names.filter((n) => !settingEnvs.has(n))).toEqual([]);
    expect(secretKeys).toEqual(
      expect.arrayContaining(['DATABASE_URL', 'VW_MASTER_KEY', 'NATS_URL', 'VW_METRICS_TOKEN']),
    );
    // The production profile with these values (and stand-ins for the Secret) loads.
    const config = loadConfig({
      env: {
        ...(configMap['data'] as Record<string, string>),
        DATABASE_URL: 'postgres://vaultwire:x@postgres:5432/vaultwire',
        VW_MASTER_KEY: Buffer.alloc(32, 1).toString('base64'),
        NATS_URL: 'nats://nats:4222',
        VW_METRICS_TOKEN: 'a'.repeat(64),
      },
    });
    expect(config.profile).toBe('prod');
    expect(config.webhookEngine).toBe('nats');
    expect(config.opsPort).toBe(9464);
  });

  it('runs every role, probes the ops port, and hardens every pod', () => {
    const roles = new Set<string>();
    for (const d of deployments) {
      const name = d['metadata'].name as string;
      const pod = d['spec'].template.spec as Doc;
      const c = must((pod['containers'] as Doc[])[0], `${name} container`);
      const args = c['args'] as string[];
      expect(args.slice(0, 2), name).toEqual(['start', '--roles']);
      for (const r of (args[2] ?? '').split(',')) {
        expect(ROLES, `${name}: role ${r}`).toContain(r);
        roles.add(r);
      }
      const ops = (c['ports'] as Doc[]).find((p) => p['name'] === 'ops');
      expect(ops?.['containerPort'], name).toBe(Number(configMap['data'].VW_OPS_PORT));
      for (const probe of ['readinessProbe', 'livenessProbe']) {
        expect(c[probe].httpGet.port, `${name} ${probe}`).toBe('ops');
      }
      expect(c['readinessProbe'].httpGet.path).toBe('/readyz');
      expect(c['livenessProbe'].httpGet.path).toBe('/livez');
      expect(pod['securityContext'].runAsNonRoot, name).toBe(true);
      // Only the producer holds an API token, of its own least-privilege account.
      if (name === 'vaultwire-producer') {
        expect(pod['serviceAccountName'], name).toBe('vaultwire-producer');
        expect(pod['automountServiceAccountToken'], name).toBe(true);
      } else {
        expect(pod['serviceAccountName'], name).toBeUndefined();
        expect(pod['automountServiceAccountToken'], name).toBe(false);
      }
      expect(c['securityContext'], name).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      expect(c['resources'].requests, name).toBeDefined();
      expect(c['resources'].limits.memory, name).toBeDefined();
      // Long enough for the graceful stop the program does on SIGTERM.
      expect(pod['terminationGracePeriodSeconds'], name).toBeGreaterThan(
        (MODULES.settings['shutdownTimeoutMs']?.default as number) / 1000,
      );
    }
    expect([...roles].sort()).toEqual([...ROLES].sort());
    const delivery = must(
      deployments.find((d) => d['metadata'].name === 'vaultwire-delivery'),
      'delivery Deployment',
    );
    // In flight requests may take the receiver timeout, then retries are handed back.
    expect(delivery['spec'].template.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(
      (MODULES.settings['webhookRequestTimeoutMs']?.default as number) / 1000 + 10 + 5,
    );
  });

  it('lets the producer scale its validator workload and do nothing else', () => {
    const account = must(
      byKind('ServiceAccount').find((d) => d['metadata'].name === 'vaultwire-producer'),
      'ServiceAccount vaultwire-producer',
    );
    expect(account['automountServiceAccountToken']).toBe(false);
    expect(byKind('ClusterRole')).toEqual([]);
    expect(byKind('ClusterRoleBinding')).toEqual([]);
    const roles = byKind('Role');
    expect(roles.map((r) => r['metadata'].name)).toEqual(['vaultwire-producer-scale']);
    const rules = must(roles[0], 'Role')['rules'] as Doc[];
    // Every rule names its resources: no wildcard, no list/watch, no workload spec.
    for (const rule of rules) {
      expect(rule['apiGroups']).toEqual(['apps']);
      expect([...(rule['verbs'] as string[])].sort()).toEqual(['get', 'patch']);
      for (const r of rule['resources'] as string[]) {
        expect(['deployments/scale', 'statefulsets/scale']).toContain(r);
      }
      expect((rule['resourceNames'] as string[]).length).toBeGreaterThan(0);
      expect(rule['resourceNames']).not.toContain('*');
    }
    // The adapter's requests are exactly what the rules allow: GET and PATCH of `scale`.
    for (const kind of ['Deployment', 'StatefulSet'] as const) {
      const path = scalePath({ kind, namespace: 'ns', name: 'validator' });
      const resource = `${path.split('/')[6]}/scale`;
      expect(
        rules.some((r) => (r['resources'] as string[]).includes(resource)),
        kind,
      ).toBe(true);
    }
    const binding = must(byKind('RoleBinding')[0], 'RoleBinding');
    expect(binding['roleRef']).toMatchObject({ kind: 'Role', name: 'vaultwire-producer-scale' });
    expect(binding['subjects']).toEqual([{ kind: 'ServiceAccount', name: 'vaultwire-producer' }]);
  });

  it('scales delivery on queue lag from a recorded rule and on the consumer the workers pull from', () => {
    const [scaled] = byKind('ScaledObject');
    expect(scaled?.['spec'].scaleTargetRef.name).toBe('vaultwire-delivery');
    const triggers = scaled?.['spec'].triggers as Doc[];
    const prom = must(
      triggers.find((t) => t['type'] === 'prometheus'),
      'prometheus trigger',
    );
    const rules = readFileSync(join(deploy, 'prometheus/vaultwire.rules.yml'), 'utf8');
    expect(rules).toContain(`record: ${prom['metadata'].query}`);
    expect(prom['metricType']).toBe('Value');
    const js = must(
      triggers.find((t) => t['type'] === 'nats-jetstream'),
      'nats-jetstream trigger',
    );
    expect(js['metadata'].consumer).toBe(NATS_CONSUMER);
    expect(js['metadata'].stream).toBe(configMap['data'].VW_WEBHOOK_NATS_STREAM);
    expect(scaled?.['spec'].minReplicaCount).toBeGreaterThanOrEqual(2);
    const [monitor] = byKind('PodMonitor');
    expect(monitor?.['spec'].podMetricsEndpoints[0].port).toBe('ops');
    expect(secretKeys).toContain(
      monitor?.['spec'].podMetricsEndpoints[0].authorization.credentials.key,
    );
  });

  it('keeps delivery pods off private, link-local and loopback addresses', () => {
    const [policy] = byKind('NetworkPolicy');
    expect(policy?.['spec'].podSelector.matchLabels['app.kubernetes.io/component']).toBe(
      'delivery',
    );
    const open = must(
      (policy?.['spec'].egress as Doc[]).find((e) => e['to'][0].ipBlock),
      'ipBlock egress rule',
    );
    expect(open['to'][0].ipBlock.except).toEqual(
      expect.arrayContaining([
        '10.0.0.0/8',
        '172.16.0.0/12',
        '192.168.0.0/16',
        '169.254.0.0/16',
        '127.0.0.0/8',
      ]),
    );
  });

  it('builds an image that runs the compiled binary as the pods’ non-root user', () => {
    const dockerfile = readFileSync(join(repo, 'Dockerfile'), 'utf8');
    const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };
    const entry = /^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)?.[1];
    expect(JSON.parse(entry ?? '[]')).toContain(pkg.bin['vaultwire']?.replace(/^\.\//, ''));
    expect(dockerfile).toMatch(/^COPY migrations \.\/migrations$/m);
    const uid = Number(/^USER (\d+):/m.exec(dockerfile)?.[1]);
    for (const d of deployments) {
      expect(d['spec'].template.spec.securityContext.runAsUser).toBe(uid);
    }
  });
});
