import { describe, expect, it } from 'vitest';
import {
  BODY_TOO_LARGE,
  COMPLETE,
  MALFORMED,
  NEED_MORE,
  ResponseParser,
  type ParseResult,
} from './response-parser.js';

const MAX_BODY = 64 * 1024;

interface Outcome {
  result: ParseResult;
  status: number;
  retryAfter: string | undefined;
  keepAlive: boolean;
  excerpt: string;
  error: string;
  /** Bytes of the input that were not part of the response. */
  leftover: number;
}

/** Feeds `chunks` in order, stopping at the first result that is not NEED_MORE; `eof` ends with a close. */
function feed(chunks: Buffer[], eof = false): Outcome {
  const p = new ResponseParser(MAX_BODY, 512);
  p.reset();
  let result: ParseResult = NEED_MORE;
  let leftover = 0;
  for (let i = 0; i < chunks.length; i++) {
    const chunk = chunks[i] ?? Buffer.alloc(0);
    result = p.execute(chunk);
    if (result !== NEED_MORE) {
      leftover = chunk.length - (result === COMPLETE ? p.end : chunk.length);
      for (const rest of chunks.slice(i + 1)) leftover += rest.length;
      break;
    }
  }
  if (result === NEED_MORE && eof) result = p.finish();
  return {
    result,
    status: p.status,
    retryAfter: p.retryAfter,
    keepAlive: p.keepAlive,
    excerpt: p.excerpt(),
    error: p.error,
    leftover,
  };
}

/** The same response fed whole, split at every byte boundary, and one byte at a time: one outcome. */
function parseEverySplit(text: string | Buffer, eof = false): Outcome {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
  const whole = feed([bytes], eof);
  for (let i = 1; i < bytes.length; i++) {
    expect(feed([bytes.subarray(0, i), bytes.subarray(i)], eof), `split at ${i}`).toEqual(whole);
  }
  const single = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
  expect(feed(single, eof), 'one byte per read').toEqual(whole);
  return whole;
}

describe('HTTP/1.x response parser', () => {
  it('reads status, Retry-After and a Content-Length body however the bytes are split', () => {
    const r = parseEverySplit(
      'HTTP/1.1 429 Too Many Requests\r\nContent-Type: text/plain\r\nRETRY-AFTER: 7\r\n' +
        'Content-Length: 9\r\n\r\nslow down',
    );
    expect(r).toMatchObject({
      result: COMPLETE,
      status: 429,
      retryAfter: '7',
      keepAlive: true,
      excerpt: 'slow down',
      leftover: 0,
    });
  });

  it('decodes a chunked body with chunk extensions and trailers', () => {
    const r = parseEverySplit(
      'HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\n\r\n' +
        '5;name=value\r\nhello\r\n' +
        '7 ; quoted="a;b"\r\n, world\r\n' +
        '0\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n',
    );
    expect(r).toMatchObject({ result: COMPLETE, status: 500, excerpt: 'hello, world' });
    expect(r.keepAlive).toBe(true);
  });

  it('skips 100 Continue and 103 Early Hints and reads the final answer', () => {
    const r = parseEverySplit(
      'HTTP/1.1 100 Continue\r\n\r\n' +
        'HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\nRetry-After: 99\r\n\r\n' +
        'HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\nok',
    );
    expect(r).toMatchObject({ result: COMPLETE, status: 202, excerpt: 'ok' });
    // Headers of an interim answer are not the final answer's.
    expect(r.retryAfter).toBeUndefined();
  });

  it('has no body for 204 and 304, whatever the headers say, and reports the bytes after', () => {
    expect(parseEverySplit('HTTP/1.1 204 No Content\r\n\r\n')).toMatchObject({
      result: COMPLETE,
      status: 204,
      excerpt: '',
      leftover: 0,
      keepAlive: true,
    });
    const r = parseEverySplit('HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\nhello');
    expect(r).toMatchObject({ result: COMPLETE, status: 304, excerpt: '', leftover: 5 });
  });

  it('completes a Content-Length: 0 answer at the end of its head', () => {
    expect(parseEverySplit('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')).toMatchObject({
      result: COMPLETE,
      excerpt: '',
      keepAlive: true,
    });
  });

  it('reads a body delimited by the close, and never reuses that connection', () => {
    const text = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end';
    expect(feed([Buffer.from(text)]).result).toBe(NEED_MORE);
    const r = parseEverySplit(text, true);
    expect(r).toMatchObject({ result: COMPLETE, excerpt: 'until the end', keepAlive: false });
  });

  it('follows the keep-alive rules of HTTP/1.0 and 1.1', () => {
    const body = 'Content-Length: 2\r\n\r\nok';
    expect(feed([Buffer.from(`HTTP/1.0 200 OK\r\n${body}`)]).keepAlive).toBe(false);
    expect(
      feed([Buffer.from(`HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\n${body}`)]).keepAlive,
    ).toBe(true);
    expect(feed([Buffer.from(`HTTP/1.1 200 OK\r\n${body}`)]).keepAlive).toBe(true);
    expect(
      feed([Buffer.from(`HTTP/1.1 200 OK\r\nConnection: upgrade, Close\r\n${body}`)]).keepAlive,
    ).toBe(false);
  });

  it('accepts bare LF line ends', () => {
    expect(parseEverySplit('HTTP/1.1 200 OK\nContent-Length: 2\n\nok')).toMatchObject({
      result: COMPLETE,
      excerpt: 'ok',
      leftover: 0,
    });
  });

  it('ends the head at the first blank line, not at a later CRLFCRLF in the body', () => {
    const r = parseEverySplit('HTTP/1.1 200 OK\nContent-Length: 6\n\nab\r\n\r\nXYZ');
    expect(r).toMatchObject({ result: COMPLETE, excerpt: 'ab\r\n\r\n', leftover: 3 });
  });

  it('finds where one response ends when the next bytes follow in the same read', () => {
    const r = feed([
      Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n\r\n'),
    ]);
    expect(r).toMatchObject({ result: COMPLETE, excerpt: 'ok', leftover: 19 });
  });

  it('accepts repeated equal Content-Length values and refuses different ones', () => {
    expect(
      parseEverySplit('HTTP/1.1 200 OK\r\nContent-Length: 2\r\ncontent-length: 2\r\n\r\nok'),
    ).toMatchObject({ result: COMPLETE, excerpt: 'ok' });
    expect(feed([Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok')]).result).toBe(
      COMPLETE,
    );
    for (const head of [
      'Content-Length: 2\r\nContent-Length: 3',
      'Content-Length: 2, 3',
      'Content-Length: -1',
      'Content-Length: +2',
      'Content-Length: 0x2',
      'Content-Length:',
      'Content-Length: 99999999999999999999',
    ]) {
      const r = feed([Buffer.from(`HTTP/1.1 200 OK\r\n${head}\r\n\r\nokk`)]);
      expect(r.result, head).toBe(MALFORMED);
      expect(r.keepAlive, head).toBe(false);
    }
  });

  it('frames by chunks when Transfer-Encoding and Content-Length are both sent, then closes', () => {
    const r = parseEverySplit(
      'HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n',
    );
    expect(r).toMatchObject({ result: COMPLETE, excerpt: 'ok', keepAlive: false, leftover: 0 });
    // In an HTTP/1.0 answer Transfer-Encoding is faulty framing too.
    expect(
      feed([
        Buffer.from(
          'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
        ),
      ]),
    ).toMatchObject({ result: COMPLETE, keepAlive: false });
  });

  it('reads a body until the close when the last coding is not chunked, and refuses bad codings', () => {
    const r = parseEverySplit('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nzz', true);
    expect(r).toMatchObject({ result: COMPLETE, excerpt: 'zz', keepAlive: false });
    for (const te of [
      'chunked, gzip',
      'chunked, chunked',
      'chunked\r\nTransfer-Encoding: chunked',
    ]) {
      const bad = feed([
        Buffer.from(`HTTP/1.1 200 OK\r\nTransfer-Encoding: ${te}\r\n\r\n0\r\n\r\n`),
      ]);
      expect(bad.result, te).toBe(MALFORMED);
    }
  });

  it('refuses malformed status lines', () => {
    for (const line of [
      'HTTP/2 200 OK',
      'HTTP/1.1 20 OK',
      'HTTP/1.1 200OK',
      'HTTP/1.1  200 OK',
      'HTTP/1.1 099 Low',
      'HTTP/1.1 600 High',
      'ICY 200 OK',
      'http/1.1 200 OK',
      '',
      'garbage',
    ]) {
      const r = feed([Buffer.from(`${line}\r\nContent-Length: 0\r\n\r\n`)]);
      expect(r.result, line).toBe(MALFORMED);
    }
    // A reason phrase is optional.
    expect(feed([Buffer.from('HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n')]).result).toBe(COMPLETE);
  });

  it('refuses folded headers, nameless lines, bare CR, NUL and bad names', () => {
    const folded = feed([Buffer.from('HTTP/1.1 200 OK\r\nX-A: 1\r\n Content-Length: 2\r\n\r\nok')]);
    expect(folded).toMatchObject({ result: MALFORMED, error: 'obsolete header line folding' });
    for (const head of [
      'X-A: 1\r\n  continued',
      'X-A: 1\r\n\tcontinued',
      ': nameless',
      'no colon here',
      'Content-Length : 2',
      'X-A: 1\rContent-Length: 5',
      'X-A: a\0b',
      'X(A): 1',
    ]) {
      const r = feed([Buffer.from(`HTTP/1.1 200 OK\r\n${head}\r\nContent-Length: 2\r\n\r\nok`)]);
      expect(r.result, JSON.stringify(head)).toBe(MALFORMED);
    }
  });

  it('refuses 101 Switching Protocols and endless interim answers', () => {
    expect(
      feed([Buffer.from('HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n')]),
    ).toMatchObject({
      result: MALFORMED,
      error: 'unexpected 101 Switching Protocols',
    });
    const interim = 'HTTP/1.1 100 Continue\r\n\r\n'.repeat(20);
    expect(feed([Buffer.from(`${interim}HTTP/1.1 200 OK\r\n\r\n`)]).result).toBe(MALFORMED);
  });

  it('refuses a head larger than 16 KiB, whole or in pieces', () => {
    const big = `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\nContent-Length: 0\r\n\r\n`;
    expect(feed([Buffer.from(big)]).result).toBe(MALFORMED);
    const pieces = [];
    for (let i = 0; i < big.length; i += 1000) pieces.push(Buffer.from(big.slice(i, i + 1000)));
    expect(feed(pieces)).toMatchObject({ result: MALFORMED, error: 'response head too large' });
  });

  it('refuses bad chunk framing', () => {
    for (const chunks of [
      'zz\r\nab\r\n0\r\n\r\n',
      '2\r\nabc\r\n0\r\n\r\n',
      '-1\r\n',
      '1000000000000\r\n',
      '2 x\r\nab\r\n',
    ]) {
      const r = feed([
        Buffer.from(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${chunks}`),
      ]);
      expect(r.result, JSON.stringify(chunks)).toBe(MALFORMED);
    }
  });

  it('stops a body longer than 64 KiB, keeping its first 512 bytes', () => {
    const head = 'HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\n\r\n';
    const block = Buffer.alloc(16 * 1024, 'x');
    const r = feed([Buffer.from(head), block, block, block, block, block, block, block]);
    expect(r).toMatchObject({ result: BODY_TOO_LARGE, excerpt: 'x'.repeat(512) });
    // Exactly 64 KiB is read to the end.
    const exact = feed([
      Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 65536\r\n\r\n'),
      block,
      block,
      block,
      block,
    ]);
    expect(exact.result).toBe(COMPLETE);
  });

  it('does not end the excerpt inside a UTF-8 sequence it cut', () => {
    // 511 ASCII bytes, then a 2-byte character whose first byte is the 512th.
    const body = `${'a'.repeat(511)}é and more`;
    const r = feed([
      Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`),
    ]);
    expect(r.excerpt).toBe('a'.repeat(511));
    // A 4-byte emoji cut after its second byte.
    const emoji = `${'a'.repeat(510)}😀`;
    const e = feed([
      Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(emoji)}\r\n\r\n${emoji}`),
    ]);
    expect(e.excerpt).toBe('a'.repeat(510));
  });

  it('reports a response cut short by the close', () => {
    const r = feed([Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc')], true);
    expect(r).toMatchObject({
      result: MALFORMED,
      error: 'connection closed before the response ended',
    });
  });
});
