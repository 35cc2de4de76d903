import { describe, expect, it } from 'vitest';
import { matchesKeyIdempotent } from './idempotency.js';

describe('key-idempotent routes', () => {
  const templates = new Set(['/v1/payments', '/v1/quotes/{id}/execute']);

  it('match their own paths only, a template segment standing for one non-empty segment', () => {
    expect(matchesKeyIdempotent(templates, '/v1/payments')).toBe(true);
    expect(matchesKeyIdempotent(templates, '/v1/quotes/quo_1/execute')).toBe(true);
    // Everything else still gets a claim and a recorded response.
    expect(matchesKeyIdempotent(templates, '/v1/payments/pay_1')).toBe(false);
    expect(matchesKeyIdempotent(templates, '/v1/quotes')).toBe(false);
    expect(matchesKeyIdempotent(templates, '/v1/quotes//execute')).toBe(false);
    expect(matchesKeyIdempotent(templates, '/v1/quotes/quo_1/execute/x')).toBe(false);
    expect(matchesKeyIdempotent(templates, '/v1/payment_requests/req_1/pay')).toBe(false);
  });
});
