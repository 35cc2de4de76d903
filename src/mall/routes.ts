import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { isFailure } from '../platform/failure.js';
import type { AppEnv } from '../platform/http/context.js';
import type { HttpApp } from '../platform/http/app.js';
import { ApiError, errorCatalog } from '../platform/http/errors.js';
import type { WebAsset } from '../webapp/assets.js';
import { PresenceError, type PresenceFrame, type PresenceHub } from './presence.js';

/**
 * The mall's page: like `/app`, but the canvas needs product images from their shops
 * (`img-src https:`), since the catalog stores image URLs and never fetches them.
 */
export const MALL_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: https:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const NOT_BUILT = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Vaultwire mall</title>
<p>The mall is not built. Run <code>npm run build</code> (or <code>npm start</code>, which builds it), then reload.</p></html>`;

const presenceError = errorCatalog<PresenceError>({
  [PresenceError.Full]: {
    status: 503,
    type: 'api_error',
    message: 'The mall is full; try again soon',
  },
  [PresenceError.UnknownVisitor]: {
    status: 404,
    type: 'not_found_error',
    message: 'No such visitor in the mall',
    param: 'id',
  },
  [PresenceError.RateLimited]: {
    status: 429,
    type: 'rate_limit_error',
    message: 'Too many position updates',
  },
});

const Coordinate = z.number().min(-1_000_000).max(1_000_000);

/** One position update: the visitor's id and token (from its stream's `hello`), where it is. */
export const PositionBody = z.strictObject({
  id: z.string().min(1).max(40),
  token: z.string().min(1).max(64),
  level: z.number().int().min(-10).max(100),
  x: Coordinate,
  z: Coordinate,
  yaw: z.number().min(-1000).max(1000),
});

/** Frames a slow stream may have queued before frames are skipped for it. */
const MAX_QUEUED_FRAMES = 4;
const PING_MS = 15_000;

export interface MallRoutesDeps {
  assets(): Map<string, WebAsset> | undefined;
  presence: PresenceHub;
  tickMs: number;
  stopping(): boolean;
}

/** `/mall` (the built client) and `/mall/presence` (who else is walking, positions only). */
export function registerMallRoutes(http: HttpApp, deps: MallRoutesDeps): void {
  const { presence } = deps;
  let timer: NodeJS.Timeout | undefined;
  // The tick runs only while someone is in the mall, in the processes serving it.
  const startTicking = () => {
    timer ??= setInterval(() => {
      presence.tick();
      if (presence.visitors() === 0) {
        clearInterval(timer);
        timer = undefined;
      }
    }, deps.tickMs).unref();
  };

  http.get('/mall/presence', (c) => {
    const visitor = presence.join();
    if (isFailure(visitor)) {
      const error = presenceError(visitor.code, { message: visitor.message ?? '' });
      return c.json(error.toBody(), { status: error.status, headers: { 'retry-after': '30' } });
    }
    startTicking();
    c.header('cache-control', 'no-store');
    c.header('x-accel-buffering', 'no');
    return streamSSE(c, async (stream) => {
      let queued = 0;
      let skipped = false;
      const send = (event: string, data: unknown) => {
        queued += 1;
        stream
          .writeSSE({ event, data: JSON.stringify(data) })
          .catch(() => undefined)
          .finally(() => {
            queued -= 1;
            // A stream that fell behind gets everyone's position once it has caught up.
            if (skipped && queued === 0 && !stream.aborted) {
              skipped = false;
              send('presence', presence.snapshot(visitor.id));
            }
          });
      };
      const unsubscribe = presence.subscribe((frame: PresenceFrame) => {
        if (queued >= MAX_QUEUED_FRAMES) {
          skipped = true;
          return;
        }
        const moved = frame.moved.filter((p) => p.id !== visitor.id);
        if (moved.length > 0 || frame.left.length > 0) send('presence', { ...frame, moved });
      });
      stream.onAbort(() => {
        unsubscribe();
        presence.leave(visitor.id);
      });
      try {
        send('hello', { id: visitor.id, token: visitor.token, tick_ms: deps.tickMs });
        send('presence', presence.snapshot(visitor.id));
        // Ends with the connection or when the server stops (which waits for open requests).
        let sincePing = 0;
        while (!stream.aborted && !deps.stopping()) {
          await stream.sleep(1000);
          sincePing += 1000;
          if (sincePing >= PING_MS) {
            sincePing = 0;
            await stream.write(': ping\n\n');
          }
        }
      } finally {
        unsubscribe();
        presence.leave(visitor.id);
      }
    });
  });

  http.post(
    '/mall/presence',
    bodyLimit({
      maxSize: 1024,
      onError: (c) =>
        c.json(
          new ApiError(
            413,
            'invalid_request_error',
            'body_too_large',
            'A position update is at most 1 KiB',
          ).toBody(),
          413,
        ),
    }),
    async (c) => {
      const parsed = PositionBody.safeParse(await c.req.json().catch(() => undefined));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new ApiError(
          400,
          'invalid_request_error',
          'parameter_invalid',
          issue ? `${issue.path.join('.')}: ${issue.message}` : 'A JSON body is required',
          issue?.path.join('.') || undefined,
        );
      }
      const { id, token, ...position } = parsed.data;
      const moved = presence.move(id, token, position);
      if (isFailure(moved)) {
        throw presenceError(moved.code, moved.message ? { message: moved.message } : undefined);
      }
      return c.body(null, 204);
    },
  );

  http.get('/mall', (c) => c.redirect('/mall/', 308));
  http.get('/mall/*', (c) => {
    const assets = deps.assets();
    setSecurityHeaders(c);
    if (!assets) {
      c.header('cache-control', 'no-store');
      return c.html(NOT_BUILT, 503);
    }
    const path = safeDecode(c.req.path.slice('/mall/'.length));
    const file = assets.get(path === '' ? 'index.html' : path);
    if (!file) {
      c.header('cache-control', 'no-store');
      return c.text('Not found', 404);
    }
    c.header(
      'cache-control',
      path.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    );
    c.header('content-type', file.contentType);
    c.header('vary', 'accept-encoding');
    if (file.gzip && /\bgzip\b/.test(c.req.header('accept-encoding') ?? '')) {
      c.header('content-encoding', 'gzip');
      return c.body(new Uint8Array(file.gzip));
    }
    return c.body(new Uint8Array(file.body));
  });
}

function setSecurityHeaders(c: Context<AppEnv>): void {
  c.header('content-security-policy', MALL_CSP);
  c.header('referrer-policy', 'no-referrer');
  c.header('x-frame-options', 'DENY');
  c.header('permissions-policy', 'camera=(), microphone=(), geolocation=()');
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
