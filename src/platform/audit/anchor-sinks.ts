import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { request } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { dirname } from 'node:path';

/** Where anchors go. Each sink takes every anchor line once; a failure is retried later. */
export interface AnchorSink {
  /** `file` or `url`: remembered with the anchor and used as the metric label. */
  readonly name: 'file' | 'url';
  /** Resolves once the line is durably taken (fsynced, or answered 2xx); rejects otherwise. */
  write(line: string): Promise<void>;
}

/**
 * An append-only local file, meant for separate storage (a WORM or otherwise
 * append-only mount): opened with O_APPEND for each line, fsynced before the write
 * counts, created with mode 0600. The directory is fsynced too when the file is new, so
 * the file itself survives a crash.
 */
export function createFileAnchorSink(path: string): AnchorSink {
  return {
    name: 'file',
    async write(line) {
      let isNew = false;
      try {
        await stat(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        isNew = true;
      }
      const file = await open(
        path,
        constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT,
        0o600,
      );
      try {
        // One write call for the whole line: appends of a few hundred bytes are not
        // interleaved with another writer's.
        await file.writeFile(`${line}\n`);
        await file.sync();
      } finally {
        await file.close();
      }
      if (isNew) {
        const dir = await open(dirname(path), constants.O_RDONLY);
        try {
          await dir.sync();
        } finally {
          await dir.close();
        }
      }
    },
  };
}

/**
 * The part of the platform's SSRF guard the URL sink needs. The webhooks module's
 * `createSsrfGuard` provides it (handed in by the composition root, so this module does
 * not import another): `lookup` refuses forbidden addresses inside the connection
 * itself, so the address checked is the address used.
 */
export interface OutboundAddressGuard {
  /** Why an IP literal may not be called; undefined when it may. */
  forbidden(address: string): string | undefined;
  readonly lookup: LookupFunction;
}

export interface UrlAnchorSinkOptions {
  /** `https:` only: anchors leave the deployment. */
  url: string;
  guard: OutboundAddressGuard;
  timeoutMs?: number;
  userAgent?: string;
  /** Extra trust roots: tests only (a self-signed receiver). */
  ca?: string | Buffer;
  /** Sent as `Authorization: Bearer <token>`; never put in an error or a log line. */
  token?: string | undefined;
}

/** What an HTTP field value may carry without being split or rejected: visible ASCII. */
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;

/**
 * POSTs each anchor line as `application/json` to an HTTPS collector (a SIEM, a log
 * store), with `Authorization: Bearer <token>` when a token is given. A 2xx answer takes
 * it; anything else, a refused address or no answer within `timeoutMs` rejects. Redirects
 * are not followed.
 */
export function createUrlAnchorSink(options: UrlAnchorSinkOptions): AnchorSink {
  const url = new URL(options.url);
  if (url.protocol !== 'https:') throw new Error('the audit anchor URL must be https://');
  if (url.username !== '' || url.password !== '') {
    throw new Error('the audit anchor URL must not carry credentials');
  }
  const token = options.token;
  // Configuration refuses such a token already; whoever else builds the sink gets the
  // same clear refusal at once, not an invalid-header error at every export.
  if (token !== undefined && !VISIBLE_ASCII.test(token)) {
    throw new Error('the audit anchor token must be visible ASCII characters only');
  }
  const timeoutMs = options.timeoutMs ?? 10_000;
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return {
    name: 'url',
    write(line) {
      // `net.connect` skips the lookup for an IP literal: judge that address here.
      if (isIP(host) !== 0) {
        const why = options.guard.forbidden(host);
        if (why !== undefined) {
          return Promise.reject(
            new Error(
              `refused to send the anchor to ${host}: ${why} address (allow it in VW_AUDIT_ANCHOR_SSRF_ALLOW)`,
            ),
          );
        }
      }
      const body = Buffer.from(line, 'utf8');
      return new Promise<void>((resolve, reject) => {
        const req = request(
          url,
          {
            method: 'POST',
            agent: false,
            lookup: options.guard.lookup,
            ...(options.ca !== undefined ? { ca: options.ca } : {}),
            headers: {
              'content-type': 'application/json',
              'content-length': String(body.length),
              ...(options.userAgent ? { 'user-agent': options.userAgent } : {}),
              ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
            },
          },
          (res) => {
            clearTimeout(timer);
            res.resume();
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve();
            else if (status === 401 || status === 403) {
              reject(
                new Error(
                  `the anchor collector answered HTTP ${status}: it refused the credentials (VW_AUDIT_ANCHOR_TOKEN)`,
                ),
              );
            } else reject(new Error(`the anchor collector answered HTTP ${status}`));
          },
        );
        const timer = setTimeout(() => {
          req.destroy(new Error(`no answer from the anchor collector within ${timeoutMs} ms`));
        }, timeoutMs);
        req.on('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
        req.end(body);
      });
    },
  };
}
