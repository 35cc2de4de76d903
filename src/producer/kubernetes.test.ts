import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Scale } from 'kubernetes-models/autoscaling/v1';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createKubernetesControl, KubernetesTargetSchema, scalePath } from './kubernetes.js';

/**
 * The Kubernetes producer adapter against a local API server that speaks the `scale`
 * subresource as the real one does: bearer-token auth, `application/merge-patch+json`
 * PATCHes, autoscaling/v1 Scale objects (checked against Kubernetes' own schema from
 * `kubernetes-models`, request and response), `Status` objects for errors, and replicas
 * that take a while to go away after a scale-down, as terminating pods do.
 */
const TOKEN = 'sa-token-for-the-test';
const SETTLE_MS = 400;

interface Workload {
  spec: number;
  status: number;
  settleAt: number;
  stuck?: boolean;
}
const workloads = new Map<string, Workload>();
const requests: { method: string; path: string; auth: string; type: string; body: string }[] = [];
let server: Server;
let api: string;
const dir = mkdtempSync(join(tmpdir(), 'vw-k8s-'));
const tokenFile = join(dir, 'token');

function status(res: ServerResponse, code: number, reason: string, message: string) {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code }),
  );
}

function scaleOf(ns: string, name: string, w: Workload) {
  if (!w.stuck && Date.now() >= w.settleAt) w.status = w.spec;
  const s = new Scale({
    metadata: { name, namespace: ns },
    spec: { replicas: w.spec },
    status: { replicas: w.status, selector: `app=${name}` },
  });
  s.validate();
  return s.toJSON();
}

async function handle(req: IncomingMessage, res: ServerResponse) {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  const path = req.url ?? '';
  requests.push({
    method: req.method ?? '',
    path,
    auth: req.headers.authorization ?? '',
    type: req.headers['content-type'] ?? '',
    body,
  });
  if (req.headers.authorization !== `Bearer ${TOKEN}`) {
    status(res, 401, 'Unauthorized', 'Unauthorized');
    return;
  }
  const m =
    /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/(deployments|statefulsets)\/([^/]+)\/scale$/.exec(
      path,
    );
  const w = m ? workloads.get(`${m[2]}/${m[1]}/${m[3]}`) : undefined;
  if (!m || !w) {
    status(res, 404, 'NotFound', `${m?.[2] ?? 'resource'}.apps "${m?.[3] ?? ''}" not found`);
    return;
  }
  const [, ns = '', , name = ''] = m;
  if (req.method === 'PATCH') {
    if (req.headers['content-type'] !== 'application/merge-patch+json') {
      status(res, 415, 'UnsupportedMediaType', 'the body of the request was in an unknown format');
      return;
    }
    let patch: { spec?: { replicas?: unknown } };
    try {
      patch = JSON.parse(body) as typeof patch;
      // The patched object must still be a valid Scale.
      new Scale({
        metadata: { name, namespace: ns },
        spec: { replicas: patch.spec?.replicas as number },
      }).validate();
    } catch (err) {
      status(res, 422, 'Invalid', `Scale.autoscaling "${name}" is invalid: ${String(err)}`);
      return;
    }
    w.spec = patch.spec?.replicas as number;
    w.settleAt = Date.now() + SETTLE_MS;
  } else if (req.method !== 'GET') {
    status(res, 405, 'MethodNotAllowed', 'the server does not allow this method');
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(scaleOf(ns, name, w)));
}

beforeAll(async () => {
  writeFileSync(tokenFile, `${TOKEN}\n`);
  server = createServer((req, res) => {
    void handle(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  requests.length = 0;
  workloads.clear();
  workloads.set('deployments/validators/gaiad', { spec: 0, status: 0, settleAt: 0 });
  workloads.set('statefulsets/validators/osmosisd', { spec: 1, status: 1, settleAt: 0 });
});

const target = (o: Record<string, unknown>) =>
  KubernetesTargetSchema.parse({ apiServer: api, tokenFile, namespace: 'validators', ...o });

describe('the Kubernetes producer adapter', () => {
  it('scales the region’s Deployment up when it becomes active, with its service-account token', async () => {
    const control = createKubernetesControl({
      region: 'eu',
      target: () => target({ kind: 'Deployment', name: 'gaiad' }),
      timeoutMs: 5000,
      pollMs: 50,
    });
    const r = await control.activated('cosmoshub-4', 'campaign');
    expect(r).toMatchObject({ exitCode: 0, command: 'scale deployment validators/gaiad to 1' });
    expect(workloads.get('deployments/validators/gaiad')?.spec).toBe(1);
    expect(requests).toEqual([
      {
        method: 'PATCH',
        path: '/apis/apps/v1/namespaces/validators/deployments/gaiad/scale',
        auth: `Bearer ${TOKEN}`,
        type: 'application/merge-patch+json',
        body: '{"spec":{"replicas":1}}',
      },
    ]);
  });

  it('scales a StatefulSet to 0 and returns only once no replica is left', async () => {
    const control = createKubernetesControl({
      region: 'eu',
      target: () => target({ kind: 'StatefulSet', name: 'osmosisd' }),
      timeoutMs: 5000,
      pollMs: 50,
    });
    const t0 = Date.now();
    const r = await control.deactivated('osmosis-1', 'switchover');
    expect(r).toMatchObject({ exitCode: 0, output: 'spec.replicas=0 status.replicas=0' });
    // The old producer's pod was gone before the lease could be released.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(SETTLE_MS);
    expect(workloads.get('statefulsets/validators/osmosisd')?.status).toBe(0);
    expect(requests.filter((q) => q.method === 'GET').length).toBeGreaterThan(0);
  });

  it('reports the API server’s refusals and a scale-down that never finishes as failures', async () => {
    const results: unknown[] = [];
    const control = createKubernetesControl({
      region: 'eu',
      target: (chain) =>
        chain === 'missing'
          ? target({ kind: 'Deployment', name: 'nope' })
          : chain === 'badtoken'
            ? target({ kind: 'Deployment', name: 'gaiad', tokenFile: join(dir, 'other') })
            : target({ kind: 'StatefulSet', name: 'osmosisd' }),
      timeoutMs: 600,
      pollMs: 50,
      onResult: (_c, _e, r) => results.push(r),
    });
    writeFileSync(join(dir, 'other'), 'wrong');
    expect(await control.activated('missing', 'campaign')).toMatchObject({
      exitCode: 1,
      output: expect.stringContaining('HTTP 404: deployments.apps "nope" not found'),
    });
    expect(await control.activated('badtoken', 'campaign')).toMatchObject({
      exitCode: 1,
      output: expect.stringContaining('HTTP 401'),
    });
    const w = workloads.get('statefulsets/validators/osmosisd');
    if (w) w.stuck = true;
    expect(await control.deactivated('stuck', 'renewal_failed')).toMatchObject({
      exitCode: 1,
      timedOut: true,
    });
    expect(results).toHaveLength(3);
  });

  it('builds the scale subresource path of both kinds and refuses bad names', () => {
    expect(scalePath({ kind: 'StatefulSet', namespace: 'a', name: 'b' })).toBe(
      '/apis/apps/v1/namespaces/a/statefulsets/b/scale',
    );
    expect(
      KubernetesTargetSchema.safeParse({ kind: 'Deployment', namespace: 'A_B', name: 'x' }).success,
    ).toBe(false);
    expect(
      KubernetesTargetSchema.safeParse({ kind: 'DaemonSet', namespace: 'a', name: 'x' }).success,
    ).toBe(false);
  });
});
