import { describe, expect, it } from 'vitest';
import { createVaultwireClient, unwrap, VaultwireApiError } from './index.js';

function recordingFetch(status: number, body: unknown) {
  const seen: Request[] = [];
  const fetch = (input: Request) => {
    seen.push(input);
    return Promise.resolve(
      new Response(JSON.stringify(body), {
        status,
        headers: { 'content-type': 'application/json' },
      }),
    );
  };
  return { seen, fetch: fetch as unknown as typeof globalThis.fetch };
}

describe('createVaultwireClient', () => {
  it('sends the token and an Idempotency-Key on a payment, none on a log-in (it carries a password)', async () => {
    const { seen, fetch } = recordingFetch(200, {});
    const vw = createVaultwireClient({ baseUrl: 'http://vw.test', token: 'vws_abc', fetch });
    await vw.POST('/v1/payments', { body: { to: '@bob', asset: 'USD', amount: '1' } });
    await vw.POST('/v1/sessions', { body: { email: 'a@b.io', password: 'p' } });
    expect(seen[0]?.headers.get('authorization')).toBe('Bearer vws_abc');
    expect(seen[0]?.headers.get('idempotency-key')).toMatch(/^[0-9a-f]{32}$/);
    expect(seen[1]?.headers.get('idempotency-key')).toBeNull();
  });

  it('turns an error answer into a VaultwireApiError naming the field', async () => {
    const { fetch } = recordingFetch(400, {
      error: {
        type: 'invalid_request_error',
        code: 'password_weak',
        message: 'Too short',
        param: 'password',
      },
    });
    const vw = createVaultwireClient({ baseUrl: 'http://vw.test', fetch });
    const result = await vw.POST('/v1/users', { body: { email: 'a@b.io', password: 'x' } });
    expect(() => unwrap(result)).toThrow(VaultwireApiError);
    try {
      unwrap(result);
    } catch (err) {
      expect(err).toMatchObject({ status: 400, code: 'password_weak', param: 'password' });
    }
  });
});
