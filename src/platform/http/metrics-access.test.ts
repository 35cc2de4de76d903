import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createMetricsAccess } from './metrics-access.js';

/** /metrics as both ports serve it, asked from the peers a deployment meets. */
function app(token?: string) {
  const access = createMetricsAccess(token);
  const h = new Hono();
  h.get('/metrics', (c) => access(c) ?? c.text('vaultwire_up 1'));
  return (peer: string | undefined, headers: Record<string, string> = {}) =>
    h.request(
      '/metrics',
      { headers },
      peer === undefined ? undefined : { incoming: { socket: { remoteAddress: peer } } },
    );
}

describe('who may read /metrics', () => {
  it('answers clients on this host and in-process calls, without a token', async () => {
    const ask = app();
    for (const peer of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1', undefined]) {
      const r = await ask(peer);
      expect(r.status, String(peer)).toBe(200);
      expect(await r.text()).toBe('vaultwire_up 1');
    }
  });

  it('refuses other hosts with the typed 401, even when they claim to be local', async () => {
    const ask = app();
    const attempts: Record<string, string>[] = [
      {},
      { 'x-forwarded-for': '127.0.0.1' },
      { authorization: 'Bearer x' },
    ];
    for (const headers of attempts) {
      const r = await ask('10.1.2.3', headers);
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toBe('Bearer');
      expect(await r.json()).toEqual({
        error: {
          type: 'authentication_error',
          code: 'metrics_token_required',
          message: expect.stringContaining('VW_METRICS_TOKEN') as string,
        },
      });
    }
    expect((await ask('::ffff:10.0.0.7')).status).toBe(401);
  });

  it('lets a remote scraper in with the exact bearer token only', async () => {
    const token = 't'.repeat(40);
    const ask = app(token);
    expect((await ask('10.1.2.3', { authorization: `Bearer ${token}` })).status).toBe(200);
    expect((await ask('10.1.2.3', { authorization: `bearer ${token}` })).status).toBe(200);
    for (const wrong of [`Bearer ${token}x`, `Bearer ${token.slice(1)}`, token, 'Bearer ']) {
      expect((await ask('10.1.2.3', { authorization: wrong })).status, wrong).toBe(401);
    }
  });
});
