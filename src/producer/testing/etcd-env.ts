import { randomBytes } from 'node:crypto';

/**
 * The test cluster's client URLs (scripts/test.mjs starts it and sets ETCD_CLUSTER_URLS).
 * A test that needs etcd fails without it: it never passes by skipping.
 */
export function etcdClusterUrls(): string[] {
  const urls = process.env['ETCD_CLUSTER_URLS'];
  if (!urls) {
    throw new Error(
      'ETCD_CLUSTER_URLS is not set: run the etcd tests through `npm test` (scripts/test.mjs starts a 3-member cluster)',
    );
  }
  return urls.split(',');
}

/** A key root of its own for one test, so tests never see each other's keys. */
export function testRoot(): string {
  return `/vw-test/${randomBytes(6).toString('hex')}`;
}
