import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/support/app.js';

/** What the stream's events carry: `hello` has id and token, `presence` moved and left. */
interface StreamData {
  id: string;
  token: string;
  moved: { id: string; level: number; x: number; z: number; yaw: number }[];
  left: string[];
}

/** Reads server-sent events from a real socket, one parsed event at a time. */
async function openStream(url: string) {
  const controller = new AbortController();
  const res = await fetch(url, { signal: controller.signal });
  const events: { event: string; data: StreamData }[] = [];
  const waiters: (() => void)[] = [];
  if (res.ok && res.body) {
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    void (async () => {
      let buffer = '';
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = /^event: ?(.*)$/m.exec(block)?.[1];
            const data = /^data: ?(.*)$/m.exec(block)?.[1];
            if (event && data) events.push({ event, data: JSON.parse(data) as StreamData });
            for (const w of waiters.splice(0)) w();
          }
        }
      } catch {
        // aborted
      }
    })();
  }
  const next = async (event: string, match: (d: StreamData) => boolean = () => true, ms = 5000) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = events.find((e) => e.event === event && match(e.data));
      if (found) {
        events.splice(events.indexOf(found), 1);
        return found.data;
      }
      if (Date.now() > deadline) throw new Error(`no ${event} event within ${ms} ms`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 100);
      });
    }
  };
  return {
    res,
    next,
    close: () => {
      controller.abort();
    },
  };
}

describe('the mall at /mall and its presence stream, on a real socket', () => {
  let t: TestApp;
  let base = '';
  const dir = mkdtempSync(join(tmpdir(), 'vw-mall-'));

  beforeAll(async () => {
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Mall</title><main></main>');
    writeFileSync(join(dir, 'assets', 'main-abc.js'), `console.log(${'1+'.repeat(600)}1);`);
    t = await createTestApp({
      VW_MALL_DIR: dir,
      PORT: '0',
      HOST: '127.0.0.1',
      VW_MALL_MAX_VISITORS: '2',
      VW_MALL_PRESENCE_PER_VISITOR_PER_SECOND: '3',
    });
    const started = await t.vw.start(['api']);
    base = `http://127.0.0.1:${started.port}`;
  });
  afterAll(async () => {
    await t.close();
  });

  it('serves the built mall with its own strict CSP, hashed assets cached and gzipped', async () => {
    const page = await fetch(`${base}/mall/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<main>');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const js = await fetch(`${base}/mall/assets/main-abc.js`, {
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect(js.headers.get('content-encoding')).toBe('gzip');
    expect((await fetch(`${base}/mall/assets/gone.js`)).status).toBe(404);
    const bare = await fetch(`${base}/mall`, { redirect: 'manual' });
    expect(bare.status).toBe(308);
  });

  it('shows each visitor the others walking, positions only; a third visitor is refused', async () => {
    const a = await openStream(`${base}/mall/presence`);
    const b = await openStream(`${base}/mall/presence`);
    expect(a.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const helloA = await a.next('hello');
    const helloB = await b.next('hello');
    expect(helloA.id).not.toBe(helloB.id);

    const third = await fetch(`${base}/mall/presence`);
    expect(third.status).toBe(503);
    expect(((await third.json()) as { error: { code: string; type: string } }).error.code).toBe(
      'mall_full',
    );

    const move = (body: unknown) =>
      fetch(`${base}/mall/presence`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const at = { level: 0, x: 12.5, z: -3, yaw: 1.25 };
    expect((await move({ id: helloA.id, token: helloA.token, ...at })).status).toBe(204);
    const seen = await b.next('presence', (d) => d.moved.some((p) => p.id === helloA.id));
    expect(seen.moved).toEqual([{ id: helloA.id, ...at }]);

    // B's token does not move A; bad input is a typed 400; over the rate, 429.
    const forged = await move({ id: helloA.id, token: helloB.token, ...at });
    expect(forged.status).toBe(404);
    expect(((await forged.json()) as { error: { code: string; type: string } }).error.code).toBe(
      'presence_unknown_visitor',
    );
    const nan = await move({ id: helloA.id, token: helloA.token, ...at, x: 'far' });
    expect(nan.status).toBe(400);
    expect(((await nan.json()) as { error: { code: string; type: string } }).error).toMatchObject({
      code: 'parameter_invalid',
      param: 'x',
    });
    const extra = await move({ id: helloA.id, token: helloA.token, ...at, email: 'a@b.c' });
    expect(extra.status).toBe(400);
    // 30 at once against 3 a second: at most the burst plus what refilled meanwhile.
    const began = Date.now();
    const statuses = await Promise.all(
      Array.from(
        { length: 30 },
        async (_, i) => (await move({ id: helloA.id, token: helloA.token, ...at, x: i })).status,
      ),
    );
    const seconds = (Date.now() - began) / 1000;
    const accepted = statuses.filter((s) => s === 204).length;
    expect(accepted).toBeLessThanOrEqual(3 + Math.ceil(seconds * 3));
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    const limited = await move({ id: helloA.id, token: helloA.token, ...at });
    expect(((await limited.json()) as { error: { code: string; type: string } }).error.type).toBe(
      'rate_limit_error',
    );

    // A leaves: B is told, and a new visitor may come in.
    a.close();
    await b.next('presence', (d) => d.left.includes(helloA.id));
    const c = await openStream(`${base}/mall/presence`);
    expect(c.res.status).toBe(200);
    const snapshot = await c.next('presence');
    expect(snapshot.moved.some((p) => p.id === helloA.id)).toBe(false);
    b.close();
    c.close();
  });
});
