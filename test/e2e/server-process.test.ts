import { mkdtempSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnVaultwire, type VaultwireProcess } from '../support/process.js';

/**
 * The real binary as a user runs it: `vaultwire start` on the embedded database, a port
 * of its own, JSON logs, graceful shutdown on SIGTERM.
 */

const running: VaultwireProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.kill('SIGKILL');
});

function start(extra: Record<string, string> = {}, args: string[] = []) {
  const p = spawnVaultwire(['start', ...args], {
    VW_DATA_DIR: mkdtempSync(join(tmpdir(), 'vw-e2e-')),
    PORT: '0',
    LOG_LEVEL: 'info',
    VW_PASSWORD_KDF_LOG2N: '10',
    ...extra,
  });
  running.push(p);
  return p;
}

describe('vaultwire start', () => {
  it('comes up on PGlite, answers /readyz, /openapi.json and a sign-up, and logs JSON with request ids', async () => {
    const p = start();
    const listening = await p.waitForLog('api listening');
    const port = Number(listening['port']);
    expect(port).toBeGreaterThan(0);
    const started = await p.waitForLog(/^vaultwire started/);
    expect(started['msg']).toBe(
      `vaultwire started: API http://127.0.0.1:${port}/v1, reference http://127.0.0.1:${port}/docs`,
    );
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
    const spec = (await (await fetch(`http://127.0.0.1:${port}/openapi.json`)).json()) as {
      openapi: string;
    };
    expect(spec.openapi).toBe('3.1.0');
    const signUp = await fetch(`http://127.0.0.1:${port}/v1/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ada@example.com', password: 'correct horse battery staple' }),
    });
    expect(signUp.status).toBe(201);
    expect(((await signUp.json()) as { id: string }).id).toMatch(/^usr_/);
    // `curl -X POST` with no body at all: a validation error, not "wrong media type".
    const empty = await fetch(`http://127.0.0.1:${port}/v1/users`, { method: 'POST' });
    expect(empty.status).toBe(400);
    const reqLog = await p.waitForLog('request');
    expect(reqLog['requestId']).toMatch(/^req_/);
    p.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });

  it('stops with a message naming a bad setting', async () => {
    const p = start({ PORT: 'eighty' });
    expect(await p.exited).toBe(2);
    expect(p.lines.join('\n')).toMatch(/Invalid setting PORT/);
  });

  it('refuses a second process on the same embedded data folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vw-e2e-'));
    const first = start({ VW_DATA_DIR: dir });
    await first.waitForLog('api listening');
    const second = start({ VW_DATA_DIR: dir });
    expect(await second.exited).toBe(1);
    expect(second.lines.join('\n')).toMatch(/in use by process/);
    first.kill('SIGTERM');
    expect(await first.exited).toBe(0);
  });

  it('finishes a request in flight when told to stop, then exits 0', async () => {
    const p = start();
    const port = Number((await p.waitForLog('api listening'))['port']);
    // Send the headers and half the body, then SIGTERM, then the rest: the request is in
    // flight when the signal arrives and must still get its answer.
    const body = JSON.stringify({ email: 'late@example.com', password: 'a long enough password' });
    const answer = new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/v1/does-not-exist',
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 10));
      setTimeout(() => {
        p.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(10)), 300);
      }, 200);
    });
    expect(await answer).toBe(404);
    expect(await p.exited).toBe(0);
    expect(p.lines.join('\n')).toMatch(/"shutting down"/);
  });

  it('runs only the roles it is given', async () => {
    const p = start({}, ['--roles', 'worker']);
    const startedLog = await p.waitForLog('vaultwire started');
    expect(startedLog['roles']).toEqual(['worker']);
    expect(p.lines.join('\n')).not.toMatch(/api listening/);
    p.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });

  it('serves /livez, /readyz and /metrics on the ops port of a process without the API', async () => {
    // A webhook delivery worker, as its Kubernetes pod runs it: probed and scraped on the
    // ops port, nothing else served there.
    const p = start({ VW_OPS_PORT: '0' }, ['--roles', 'delivery']);
    const ops = Number((await p.waitForLog('ops listening'))['port']);
    await p.waitForLog('vaultwire started');
    expect(p.lines.join('\n')).not.toMatch(/api listening/);
    const base = `http://127.0.0.1:${ops}`;
    expect((await fetch(`${base}/livez`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { checks: Record<string, string> }).checks['database']).toBe(
      'ok',
    );
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^vaultwire_webhook_delivery_workers(\{[^}]*\})? 1$/m);
    const api = await fetch(`${base}/v1/users`);
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('route_not_found');
    p.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });
});
