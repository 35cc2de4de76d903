import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildVaultwire, type Vaultwire } from '../../src/app.js';
import { loadConfig } from '../../src/modules.js';
import type { Logger } from '../../src/platform/observability/logger.js';
import { createTestDb, type TestDb } from './db.js';

export interface TestApp {
  vw: Vaultwire;
  testDb: TestDb;
  /** The app's clock (the `now` option, or the real time). */
  now(): number;
  /** Calls the HTTP app in-process (no port). JSON bodies are serialised for you. */
  request(
    method: string,
    path: string,
    options?: {
      body?: unknown;
      rawBody?: string;
      token?: string;
      headers?: Record<string, string>;
    },
  ): Promise<TestResponse>;
  close(): Promise<void>;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests index freely into JSON
  body: any;
  text: string;
}

/** Test settings: silent logs, cheap password hashing, a fixed master key. */
export function testEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    VW_DATA_DIR: mkdtempSync(join(tmpdir(), 'vw-test-')),
    LOG_LEVEL: 'silent',
    VW_PASSWORD_KDF_LOG2N: '10',
    VW_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
    VW_RATE_LIMIT_IP_PER_MIN: '100000',
    VW_RATE_LIMIT_KEY_PER_MIN: '100000',
    VW_RATE_LIMIT_LOGIN_PER_MIN: '100000',
    ...extra,
  };
}

export async function createTestApp(
  env: Record<string, string> = {},
  options: { now?: () => number; logger?: Logger } = {},
): Promise<TestApp> {
  const testDb = await createTestDb();
  const config = loadConfig({ env: testEnv(env) });
  const vw = await buildVaultwire({
    config,
    db: testDb.db,
    migrate: false,
    ...(options.now ? { now: options.now } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  return {
    vw,
    testDb,
    now: options.now ?? Date.now,
    async request(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      let body: string | undefined;
      if (options.rawBody !== undefined) body = options.rawBody;
      else if (options.body !== undefined) body = JSON.stringify(options.body);
      if (
        body !== undefined &&
        !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')
      ) {
        headers['content-type'] = 'application/json';
      }
      if (options.token) headers['authorization'] = `Bearer ${options.token}`;
      const res = await vw.http.request(path, {
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
      });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      return { status: res.status, headers: res.headers, body: parsed, text };
    },
    async close() {
      await vw.lifecycle.stop('test done');
      await testDb.drop();
    },
  };
}
