import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script, typed by its use here
import * as services from '../../scripts/services.mjs';

const s = services as {
  ensureEtcdCluster(o: { urls?: string }): Promise<{ say: string; env: Record<string, string> }>;
};

const post = async (url: string, path: string, body: unknown) => {
  const r = await fetch(`${url}${path}`, { method: 'POST', body: JSON.stringify(body) });
  return (await r.json()) as Record<string, unknown>;
};
const b64 = (v: string) => Buffer.from(v).toString('base64');

describe('the 3-member etcd test cluster (scripts/services.mjs)', () => {
  it('is found on its loopback ports: three members of one cluster, each healthy', async () => {
    const r = await s.ensureEtcdCluster({});
    expect(r.say).toMatch(/^etcd \d+\.\d+\.\d+ cluster of 3 .*\(found\)$/);
    const urls = (r.env['ETCD_CLUSTER_URLS'] ?? '').split(',');
    expect(urls).toEqual([
      'http://127.0.0.1:23790',
      'http://127.0.0.1:23792',
      'http://127.0.0.1:23794',
    ]);
    const [first = '', , last = ''] = urls;
    const members = (await post(first, '/v3/cluster/member/list', {}))['members'] as unknown[];
    expect(members).toHaveLength(3);
    // A write through one member is read through another: one cluster, not three.
    const key = b64(`/vw-test/cluster-check/${Date.now()}`);
    await post(first, '/v3/kv/put', { key, value: b64('x') });
    const read = await post(last, '/v3/kv/range', { key });
    expect((read['kvs'] as { value: string }[])[0]?.value).toBe(b64('x'));
  });
});
