import { afterEach } from 'vitest';
import { setNetworkGuard, takeNetworkViolations } from '../../src/platform/db/network-guard.js';

/**
 * In every test file: no network call inside a database transaction (see
 * src/platform/db/network-guard.ts). Calls reported directly (DNS, SMTP) throw where they
 * are made; HTTP requests, seen through diagnostics channels, fail the test here.
 */
setNetworkGuard('throw');

afterEach(() => {
  const seen = takeNetworkViolations();
  if (seen.length > 0) {
    throw new Error(
      `network call(s) inside a database transaction:\n${seen.map((v) => v.stack).join('\n\n')}`,
    );
  }
});
