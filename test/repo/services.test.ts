import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script, typed by its use here
import * as services from '../../scripts/services.mjs';
import { freePort } from '../support/ports.js';

/**
 * The service finding behind `npm test` (scripts/services.mjs): what it reports for a
 * port with nothing on it, and that it then starts the service there. Servers started
 * here are stopped by their pid at the end.
 */
interface Ensured {
  say: string;
  env: Record<string, string>;
  pid?: number;
}
const s = services as {
  probeNats(url: string): Promise<{ jetstream?: boolean } | undefined>;
  probePostgres(url: string): Promise<string | undefined>;
  probeEtcd(url: string): Promise<string | undefined>;
  ensureNats(o: { url: string }): Promise<Ensured>;
  ensureEtcd(o: { url: string }): Promise<Ensured>;
  ensurePromtool(): Ensured;
  ServiceError: new (m: string) => Error;
};

const started: number[] = [];
afterAll(() => {
  for (const pid of started) process.kill(pid);
});

describe('finding and starting the test services', () => {
  it('finds nothing on a port with nothing on it', async () => {
    const port = await freePort();
    expect(await s.probeNats(`nats://127.0.0.1:${port}`)).toBeUndefined();
    expect(await s.probePostgres(`postgres://postgres@127.0.0.1:${port}/postgres`)).toBeUndefined();
    expect(await s.probeEtcd(`http://127.0.0.1:${port}`)).toBeUndefined();
  });

  it('starts NATS with JetStream on a free loopback port, then finds it there', async () => {
    const url = `nats://127.0.0.1:${await freePort()}`;
    const first = await s.ensureNats({ url });
    if (first.pid) started.push(first.pid);
    expect(first.say).toMatch(/started\)$/);
    expect(first.env).toEqual({ NATS_URL: url });
    expect((await s.probeNats(url))?.jetstream).toBe(true);
    const again = await s.ensureNats({ url });
    expect(again.say).toMatch(/\(found\)$/);
    expect(again.pid).toBeUndefined();
  });

  it('starts etcd on a free loopback port', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const r = await s.ensureEtcd({ url });
    if (r.pid) started.push(r.pid);
    expect(r.say).toMatch(/^etcd \d+\.\d+\.\d+ at .*started\)$/);
    expect(await s.probeEtcd(url)).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('refuses to start a service for an address off this machine', async () => {
    // TEST-NET-1 (RFC 5737): routed nowhere, so nothing answers.
    await expect(s.ensureNats({ url: 'nats://192.0.2.1:4222' })).rejects.toThrow(
      /nothing answers at NATS_URL/,
    );
  });

  it('has promtool for the alerting-rule tests, on the PATH it hands them', () => {
    const r = s.ensurePromtool();
    const v = spawnSync('promtool', ['--version'], {
      env: { ...process.env, ...r.env },
      encoding: 'utf8',
    });
    expect(v.status).toBe(0);
    expect(r.say).toMatch(/^promtool \d/);
  });
});
