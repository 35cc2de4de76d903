import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from './context.js';
import { ApiError } from './errors.js';
import { nodeBindings, requestHeader } from './node.js';

/**
 * The one gate every request body passes before any route sees it, so a rule holds for
 * every route at once: the bytes are UTF-8, the JSON is well formed, no object repeats
 * a key, nesting is bounded, no string holds a lone surrogate or NUL (PostgreSQL text
 * and jsonb cannot store either). The decoded text is what handlers then read.
 */

/** Deepest nesting of objects and arrays a body may have. */
export const MAX_JSON_DEPTH = 32;

/** Thrown when the client went away while its body was being read (not our fault). */
export class ClientAbort extends Error {
  constructor(cause: unknown) {
    super('The client closed the connection before sending the whole body', { cause });
    this.name = 'ClientAbort';
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

// With the `u` flag a surrogate pair is one code point, so this matches lone halves only.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

const invalid = (code: string, message: string, param?: string) =>
  new ApiError(400, 'invalid_request_error', code, message, param);

export function jsonBodyGate(options: { maxBytes: number }): MiddlewareHandler<AppEnv> {
  const tooLarge = () =>
    new ApiError(
      413,
      'invalid_request_error',
      'body_too_large',
      `The request body is larger than ${options.maxBytes} bytes`,
    );
  return async (c, next) => {
    const method = c.req.method;
    if (method !== 'POST' && method !== 'PUT' && method !== 'PATCH') return next();
    const declared = Number(requestHeader(c, 'content-length') ?? 0);
    if (declared > options.maxBytes) throw tooLarge();
    const incoming = nodeIncoming(c);
    const bytes = incoming
      ? await readIncoming(incoming, options.maxBytes, tooLarge)
      : await readBody(c.req.raw.body, options.maxBytes, tooLarge);
    if (bytes.byteLength === 0) {
      cacheText(c, '');
      return next();
    }
    // Node hands every POST a body stream, even an empty one, so look at the bytes.
    const type = requestHeader(c, 'content-type') ?? '';
    if (!/^application\/json\b/i.test(type)) {
      throw new ApiError(
        415,
        'invalid_request_error',
        'unsupported_media_type',
        'Send the request body as JSON with `Content-Type: application/json`',
      );
    }
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      throw invalid('body_invalid_utf8', 'The request body is not valid UTF-8');
    }
    // Handlers and validators read the checked text, never the raw stream again.
    cacheText(c, text);
    try {
      JSON.parse(text);
    } catch {
      throw invalid('body_malformed_json', 'The request body is not valid JSON');
    }
    const refusal = inspectJson(text);
    if (refusal) throw refusal;
    await next();
  };
}

/** Hono caches a body read as text; json() parses from that cache. */
function cacheText(c: Context<AppEnv>, text: string): void {
  (c.req.bodyCache as Record<string, Promise<unknown>>).text = Promise.resolve(text);
}

/**
 * The Node request behind `c` when served by @hono/node-server, unless its web Request
 * was already made (then its body stream owns the bytes).
 */
function nodeIncoming(c: Context<AppEnv>): IncomingMessage | undefined {
  const { incoming } = nodeBindings(c);
  if (!incoming || typeof incoming.on !== 'function' || incoming.readableDidRead) return undefined;
  return incoming;
}

/**
 * The body's bytes straight from Node's request stream, read up to `maxBytes`. Reading
 * `c.req.raw.body` instead makes @hono/node-server build a full web Request (headers,
 * an AbortController, a ReadableStream over the socket stream): about a tenth of a
 * payment's server CPU (bench:api, --cpu-prof), for a body of a few hundred bytes.
 * Handlers never see the stream: they read the text this gate caches.
 */
function readIncoming(
  incoming: IncomingMessage,
  maxBytes: number,
  tooLarge: () => ApiError,
): Promise<Uint8Array> {
  if (incoming.complete && incoming.readableEnded) return Promise.resolve(new Uint8Array(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > maxBytes) {
        // The rest is left to @hono/node-server, which drains it after the 413 (briefly)
        // and then closes the connection.
        done();
        incoming.pause();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      done();
      resolve(chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, size));
    };
    const onError = (err: unknown) => {
      done();
      reject(new ClientAbort(err));
    };
    // Closed before its end: the client went away mid-body.
    const onClose = () => {
      done();
      reject(new ClientAbort(new Error('request closed before its body ended')));
    };
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
    incoming.on('close', onClose);
  });
}

/**
 * The body's bytes, read up to `maxBytes` (a chunked body declares no length), from a
 * web stream (requests made in-process, `app.request`). Our own
 * read rather than hono's bodyLimit so a read that fails is told apart from a fault: it
 * means the client went away mid-body.
 */
async function readBody(
  stream: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  tooLarge: () => ApiError,
): Promise<Uint8Array> {
  if (!stream) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = stream.getReader();
  for (;;) {
    let chunk: Awaited<ReturnType<typeof reader.read>>;
    try {
      chunk = await reader.read();
    } catch (err) {
      throw new ClientAbort(err);
    }
    if (chunk.done) break;
    size += chunk.value.byteLength;
    if (size > maxBytes) {
      reader.releaseLock();
      throw tooLarge();
    }
    chunks.push(chunk.value);
  }
  if (chunks.length === 1 && chunks[0]) return chunks[0];
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/**
 * What JSON.parse lets through and we refuse: a repeated key (JSON.parse keeps the last,
 * so `"amount":"1.00","amount":"400.00"` would pay 400.00), nesting deeper than
 * MAX_JSON_DEPTH, and strings with a lone surrogate or NUL. `text` must be valid JSON.
 *
 * Written by hand because no well-kept JavaScript JSON parser reports duplicate keys
 * without building a full syntax tree (several times the memory of the body); this is
 * one pass with a stack of the open containers, and decodes only strings that hold an
 * escape.
 */
export function inspectJson(text: string): ApiError | undefined {
  interface Frame {
    keys: Set<string> | undefined; // undefined: an array
    key: string; // the current member's key, or index of an array
    index: number;
    expectKey: boolean;
  }
  const stack: Frame[] = [];
  const path = () => stack.map((f) => (f.keys ? f.key : String(f.index))).join('.');
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22 /* " */) {
      let j = i + 1;
      let escaped = false;
      for (;;) {
        const d = text.charCodeAt(j);
        if (d === 0x5c /* \ */) {
          escaped = true;
          j += 2;
        } else if (d === 0x22) break;
        else j++;
      }
      const value = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(i + 1, j);
      i = j;
      const top = stack.at(-1);
      const isKey = top?.keys !== undefined && top.expectKey;
      if (isKey) top.key = value;
      if (LONE_SURROGATE.test(value)) {
        return invalid(
          'string_invalid_unicode',
          'Strings may not contain a lone UTF-16 surrogate (\\ud800-\\udfff without its pair)',
          path() || undefined,
        );
      }
      if (value.includes('\u0000')) {
        return invalid(
          'parameter_invalid',
          'Strings may not contain the NUL character (\\u0000)',
          path() || undefined,
        );
      }
      if (isKey) {
        if (top.keys?.has(value)) {
          return invalid(
            'body_duplicate_key',
            `The key "${value}" appears more than once in one object`,
            path(),
          );
        }
        top.keys?.add(value);
      }
      continue;
    }
    switch (ch) {
      case 0x7b /* { */:
      case 0x5b /* [ */:
        if (stack.length >= MAX_JSON_DEPTH) {
          return invalid(
            'body_too_deep',
            `The request body nests objects and arrays more than ${MAX_JSON_DEPTH} deep`,
            path() || undefined,
          );
        }
        stack.push({
          keys: ch === 0x7b ? new Set() : undefined,
          key: '',
          index: 0,
          expectKey: true,
        });
        break;
      case 0x7d /* } */:
      case 0x5d /* ] */:
        stack.pop();
        break;
      case 0x3a /* : */: {
        const top = stack.at(-1);
        if (top) top.expectKey = false;
        break;
      }
      case 0x2c /* , */: {
        const top = stack.at(-1);
        if (top) {
          top.expectKey = true;
          top.index++;
        }
        break;
      }
    }
  }
  return undefined;
}
