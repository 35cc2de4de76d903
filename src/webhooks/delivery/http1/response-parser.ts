/**
 * An incremental HTTP/1.x response parser for the webhook sender: fed the socket's reads
 * as they come (a response may be split at any byte), it finds the status, the few
 * headers a sender acts on, where the body ends, and keeps the body's first bytes.
 *
 * It is written for answers from receivers we do not trust: every length is bounded, any
 * framing it cannot be sure of is refused (or, where RFC 9112 says to read what is framed
 * and then close, `keepAlive` is cleared), and nothing is retained beyond the excerpt.
 * Heads are read as latin1 strings (one byte, one char), bodies are never decoded.
 */

/** More bytes are needed. */
export const NEED_MORE = 0;
/** The response ended at `end` in the last buffer fed. */
export const COMPLETE = 1;
/** Not a well-formed response (`error` says why): the connection cannot be trusted. */
export const MALFORMED = 2;
/** The body is longer than the parser reads: answer with what was kept and drop the connection. */
export const BODY_TOO_LARGE = 3;
export type ParseResult =
  typeof NEED_MORE | typeof COMPLETE | typeof MALFORMED | typeof BODY_TOO_LARGE;

const HEAD = 0;
const LENGTH_BODY = 1;
const CHUNK_SIZE = 2;
const CHUNK_DATA = 3;
const CHUNK_END = 4;
const TRAILERS = 5;
const CLOSE_BODY = 6;
const DONE = 7;

const MAX_HEAD_BYTES = 16 * 1024;
/** Chunk-size lines (with extensions) and each trailer line. */
const MAX_LINE_BYTES = 4 * 1024;
const MAX_TRAILER_BYTES = 16 * 1024;
/** 1xx answers before the final one; a receiver sending them forever is cut off here. */
const MAX_INTERIM = 8;
/** Content-Length and chunk sizes: beyond 2^53 a number is not exact, and we never read that far. */
const MAX_LENGTH_DIGITS = 15;
const MAX_CHUNK_SIZE_DIGITS = 12;

/** RFC 9110 token characters (header names). */
const TOKEN_CHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") {
  TOKEN_CHAR[c.charCodeAt(0)] = 1;
}

export class ResponseParser {
  /** Status of the final (non-1xx) response. */
  status = 0;
  /** The first `Retry-After` value, as sent. */
  retryAfter: string | undefined = undefined;
  /** The connection may carry another request once this response is complete. */
  keepAlive = false;
  /** Bytes received since `reset`: none means the peer never started an answer. */
  bytesSeen = 0;
  /** After COMPLETE: the offset in the last buffer just past the response. */
  end = 0;
  /** After MALFORMED: what was wrong. */
  error = '';

  private state = HEAD;
  /** A head or line split across reads, as latin1. */
  private pending = '';
  private headBytes = 0;
  private statusSeen = false;
  private linePos = 0;
  private remaining = 0;
  private bodyBytes = 0;
  private trailerBytes = 0;
  private interim = 0;
  private minor = 1;
  private contentLength = -1;
  private lengthConflict = false;
  private transferEncoding = '';
  private connectionClose = false;
  private connectionKeepAlive = false;
  private readonly kept: Buffer;
  private keptBytes = 0;

  constructor(
    private readonly maxBodyBytes: number,
    excerptBytes: number,
  ) {
    this.kept = Buffer.allocUnsafe(excerptBytes);
  }

  /** Ready for the next response on the same connection. */
  reset(): void {
    this.status = 0;
    this.retryAfter = undefined;
    this.keepAlive = false;
    this.bytesSeen = 0;
    this.end = 0;
    this.error = '';
    this.state = HEAD;
    this.pending = '';
    this.headBytes = 0;
    this.statusSeen = false;
    this.remaining = 0;
    this.bodyBytes = 0;
    this.trailerBytes = 0;
    this.interim = 0;
    this.keptBytes = 0;
  }

  /** Feeds one read. After COMPLETE, bytes from `end` on are not part of this response. */
  execute(buf: Buffer): ParseResult {
    const len = buf.length;
    this.bytesSeen += len;
    let pos = 0;
    for (;;) {
      switch (this.state) {
        case HEAD: {
          const next = this.readHead(buf, pos);
          if (next < 0) return next === -1 ? NEED_MORE : MALFORMED;
          pos = next;
          continue;
        }
        case LENGTH_BODY:
        case CHUNK_DATA: {
          const n = Math.min(this.remaining, len - pos);
          this.keep(buf, pos, n);
          pos += n;
          this.remaining -= n;
          if (this.remaining > 0) {
            return this.bodyBytes > this.maxBodyBytes ? BODY_TOO_LARGE : NEED_MORE;
          }
          if (this.state === LENGTH_BODY) {
            this.state = DONE;
            this.end = pos;
            return COMPLETE;
          }
          if (this.bodyBytes > this.maxBodyBytes) return BODY_TOO_LARGE;
          this.state = CHUNK_END;
          continue;
        }
        case CHUNK_SIZE: {
          const line = this.readLine(buf, pos);
          if (line === undefined) return this.error === '' ? NEED_MORE : MALFORMED;
          pos = this.linePos;
          const size = parseChunkSize(line);
          if (size < 0) return this.fail('bad chunk size line');
          if (size === 0) {
            this.state = TRAILERS;
          } else {
            this.remaining = size;
            this.state = CHUNK_DATA;
          }
          continue;
        }
        case CHUNK_END: {
          const line = this.readLine(buf, pos);
          if (line === undefined) return this.error === '' ? NEED_MORE : MALFORMED;
          if (line !== '') return this.fail('chunk data longer than its size');
          pos = this.linePos;
          this.state = CHUNK_SIZE;
          continue;
        }
        case TRAILERS: {
          const line = this.readLine(buf, pos);
          if (line === undefined) return this.error === '' ? NEED_MORE : MALFORMED;
          pos = this.linePos;
          if (line === '') {
            this.state = DONE;
            this.end = pos;
            return COMPLETE;
          }
          // Trailers are read past, not used; a folded or nameless one is still malformed.
          const first = line.charCodeAt(0);
          if (first === 32 || first === 9 || line.indexOf(':') <= 0) {
            return this.fail('malformed trailer line');
          }
          this.trailerBytes += line.length;
          if (this.trailerBytes > MAX_TRAILER_BYTES) return this.fail('trailers too large');
          continue;
        }
        case CLOSE_BODY: {
          this.keep(buf, pos, len - pos);
          return this.bodyBytes > this.maxBodyBytes ? BODY_TOO_LARGE : NEED_MORE;
        }
        default: {
          // DONE (a head without a body, or bytes fed after the end): it ends at `pos`.
          this.end = pos;
          return COMPLETE;
        }
      }
    }
  }

  /** The peer closed the connection: a body delimited by the close ends here. */
  finish(): ParseResult {
    if (this.state === CLOSE_BODY || this.state === DONE) {
      this.state = DONE;
      return COMPLETE;
    }
    return this.fail('connection closed before the response ended');
  }

  /**
   * The kept start of the body as UTF-8. When the body went on past it, a multi-byte
   * sequence cut at the end is dropped rather than shown as a replacement character.
   */
  excerpt(): string {
    let n = this.keptBytes;
    if (n === 0) return '';
    if (this.bodyBytes > n) n = completeUtf8Prefix(this.kept, n);
    return this.kept.toString('utf8', 0, n);
  }

  private fail(why: string): typeof MALFORMED {
    this.error = why;
    this.keepAlive = false;
    return MALFORMED;
  }

  private keep(buf: Buffer, pos: number, n: number): void {
    this.bodyBytes += n;
    const room = this.kept.length - this.keptBytes;
    if (room > 0 && n > 0) {
      const m = n < room ? n : room;
      buf.copy(this.kept, this.keptBytes, pos, pos + m);
      this.keptBytes += m;
    }
  }

  /**
   * Reads one line (LF or CRLF ended) from `pos`; undefined when it is not complete yet
   * (kept in `pending`) or is malformed (`error` set). `linePos` is past its end.
   */
  private readLine(buf: Buffer, pos: number): string | undefined {
    const nl = buf.indexOf(10, pos);
    if (nl < 0) {
      this.pending += buf.toString('latin1', pos);
      if (this.pending.length > MAX_LINE_BYTES) this.fail('line too long');
      return undefined;
    }
    let line = buf.toString('latin1', pos, nl);
    if (this.pending !== '') {
      line = this.pending + line;
      this.pending = '';
    }
    this.linePos = nl + 1;
    if (line.length > MAX_LINE_BYTES) {
      this.fail('line too long');
      return undefined;
    }
    const cr = line.indexOf('\r');
    if (cr >= 0) {
      if (cr !== line.length - 1) {
        this.fail('bare CR in a line');
        return undefined;
      }
      line = line.slice(0, cr);
    }
    return line;
  }

  /**
   * Reads the status line and header lines up to the blank line, one line at a time: a
   * line split across reads is kept in `pending` and only the new bytes are searched, so
   * a head trickling in byte by byte costs no more than one arriving whole. Returns the
   * position after the head, -1 when more bytes are needed, -2 when malformed.
   */
  private readHead(buf: Buffer, pos: number): number {
    const avail = buf.length - pos;
    const room = MAX_HEAD_BYTES - this.headBytes;
    const take = avail < room ? avail : room;
    // On the common path the whole response is one small read: this one conversion
    // covers the head (and the short body, which is not looked at as text).
    const text = buf.toString('latin1', pos, pos + take);
    // A NUL is refused anywhere in a head (as llhttp does); one search per read.
    const nul = text.indexOf('\0');
    let p = 0;
    for (;;) {
      const nl = text.indexOf('\n', p);
      if (nl < 0) {
        if (take < avail || (nul >= 0 && nul >= p)) return this.failedHead(nul >= 0);
        this.pending += p === 0 ? text : text.slice(p);
        this.headBytes += take - p;
        return -1;
      }
      let line = text;
      let start = p;
      let end = nl;
      if (this.pending !== '') {
        line = this.pending + text.slice(p, nl);
        this.pending = '';
        start = 0;
        end = line.length;
      }
      this.headBytes += nl + 1 - p;
      p = nl + 1;
      if (end > start && line.charCodeAt(end - 1) === 13) end--;
      if (end === start) {
        if (nul >= 0 && nul < p) return this.failedHead(true);
        if (this.statusSeen) return this.afterHead() ? pos + p : -2;
        // A blank line where the status line belongs.
        this.fail('malformed status line');
        return -2;
      }
      // A CR inside a line is a line end to some parsers and not to others: refuse it.
      const cr = line.indexOf('\r', start);
      if (cr >= 0 && cr < end) {
        this.fail('bare CR in response head');
        return -2;
      }
      const ok = this.statusSeen
        ? this.headerLine(line, start, end)
        : this.statusLine(line, start, end);
      if (!ok) return -2;
    }
  }

  private failedHead(nul: boolean): -2 {
    this.fail(nul ? 'NUL in response head' : 'response head too large');
    return -2;
  }

  /** `HTTP/1.x SP 3DIGIT [SP reason]`. */
  private statusLine(text: string, start: number, end: number): boolean {
    if (end - start < 12 || !text.startsWith('HTTP/1.', start)) {
      return this.failed('malformed status line');
    }
    const minor = text.charCodeAt(start + 7) - 48;
    const d1 = text.charCodeAt(start + 9) - 48;
    const d2 = text.charCodeAt(start + 10) - 48;
    const d3 = text.charCodeAt(start + 11) - 48;
    if (
      minor < 0 ||
      minor > 9 ||
      text.charCodeAt(start + 8) !== 32 ||
      d1 < 1 ||
      d1 > 5 ||
      d2 < 0 ||
      d2 > 9 ||
      d3 < 0 ||
      d3 > 9 ||
      (end - start > 12 && text.charCodeAt(start + 12) !== 32)
    ) {
      return this.failed('malformed status line');
    }
    this.minor = minor;
    this.status = d1 * 100 + d2 * 10 + d3;
    this.statusSeen = true;
    this.contentLength = -1;
    this.lengthConflict = false;
    this.transferEncoding = '';
    this.connectionClose = false;
    this.connectionKeepAlive = false;
    this.retryAfter = undefined;
    return true;
  }

  /** One `name: value` line; only the four headers a sender acts on are looked at. */
  private headerLine(text: string, start: number, end: number): boolean {
    const first = text.charCodeAt(start);
    if (first === 32 || first === 9) return this.failed('obsolete header line folding');
    const colon = text.indexOf(':', start);
    if (colon <= start || colon >= end) return this.failed('header line without a name');
    for (let i = start; i < colon; i++) {
      const c = text.charCodeAt(i);
      if (c >= 128 || TOKEN_CHAR[c] !== 1) return this.failed('invalid header name');
    }
    const nameLength = colon - start;
    const f = first | 0x20; // lower case
    if (
      !(nameLength === 10 && f === 99) && // connection
      !(nameLength === 11 && f === 114) && // retry-after
      !(nameLength === 14 && f === 99) && // content-length
      !(nameLength === 17 && f === 116) // transfer-encoding
    ) {
      return true;
    }
    const name = text.slice(start, colon).toLowerCase();
    let vs = colon + 1;
    let ve = end;
    while (vs < ve && isOws(text.charCodeAt(vs))) vs++;
    while (ve > vs && isOws(text.charCodeAt(ve - 1))) ve--;
    const value = text.slice(vs, ve);
    if (name === 'content-length') return this.addContentLength(value);
    if (name === 'transfer-encoding') {
      const v = value.toLowerCase();
      this.transferEncoding = this.transferEncoding === '' ? v : `${this.transferEncoding},${v}`;
    } else if (name === 'connection') {
      const v = value.toLowerCase();
      for (const token of v.includes(',') ? v.split(',') : [v]) {
        const t = token.trim();
        if (t === 'close') this.connectionClose = true;
        else if (t === 'keep-alive') this.connectionKeepAlive = true;
      }
    } else if (name === 'retry-after') {
      this.retryAfter ??= value;
    }
    return true;
  }

  private addContentLength(value: string): boolean {
    // A list of equal values ("5, 5") is one length (RFC 9112 §6.3); different ones are not.
    for (const part of value.includes(',') ? value.split(',') : [value]) {
      const digits = part.trim();
      if (digits.length === 0 || digits.length > MAX_LENGTH_DIGITS) {
        return this.failed('invalid content-length');
      }
      for (let i = 0; i < digits.length; i++) {
        const c = digits.charCodeAt(i);
        if (c < 48 || c > 57) return this.failed('invalid content-length');
      }
      const n = Number(digits);
      if (this.contentLength >= 0 && this.contentLength !== n) this.lengthConflict = true;
      this.contentLength = n;
    }
    return true;
  }

  /** Decides, from a complete head, what comes next. */
  private afterHead(): boolean {
    const status = this.status;
    if (status < 200) {
      if (status === 101) return this.failed('unexpected 101 Switching Protocols');
      // 100 Continue, 103 Early Hints, ...: the final answer follows on the same bytes.
      if (++this.interim > MAX_INTERIM) return this.failed('too many interim responses');
      this.state = HEAD;
      this.statusSeen = false;
      this.headBytes = 0;
      return true;
    }
    this.keepAlive =
      this.minor >= 1 ? !this.connectionClose : this.connectionKeepAlive && !this.connectionClose;
    if (status === 204 || status === 304) {
      this.state = DONE;
      return true;
    }
    if (this.transferEncoding !== '') {
      const codings = this.transferEncoding.split(',');
      let chunked = 0;
      for (const c of codings) if (c.trim() === 'chunked') chunked++;
      const last = codings[codings.length - 1]?.trim();
      if (chunked > 1 || (chunked === 1 && last !== 'chunked')) {
        return this.failed('invalid transfer-encoding');
      }
      // Transfer-Encoding with Content-Length, or in an HTTP/1.0 answer, is faulty framing
      // (RFC 9112 §6.1, §6.3): read what the chunks frame, then close the connection.
      if (this.minor === 0 || this.contentLength >= 0 || this.lengthConflict) {
        this.keepAlive = false;
      }
      if (chunked === 1) {
        this.state = CHUNK_SIZE;
      } else {
        this.keepAlive = false;
        this.state = CLOSE_BODY;
      }
      return true;
    }
    if (this.lengthConflict) return this.failed('conflicting content-length values');
    if (this.contentLength === 0) {
      this.state = DONE;
    } else if (this.contentLength > 0) {
      this.remaining = this.contentLength;
      this.state = LENGTH_BODY;
    } else {
      this.keepAlive = false;
      this.state = CLOSE_BODY;
    }
    return true;
  }

  private failed(why: string): false {
    this.fail(why);
    return false;
  }
}

function isOws(c: number): boolean {
  return c === 32 || c === 9;
}

/** `1a;name=value` → 26; -1 when not a chunk-size line. Extensions are ignored. */
function parseChunkSize(line: string): number {
  let size = 0;
  let i = 0;
  for (; i < line.length; i++) {
    const c = line.charCodeAt(i);
    let d: number;
    if (c >= 48 && c <= 57) d = c - 48;
    else if (c >= 97 && c <= 102) d = c - 87;
    else if (c >= 65 && c <= 70) d = c - 55;
    else break;
    size = size * 16 + d;
  }
  if (i === 0 || i > MAX_CHUNK_SIZE_DIGITS) return -1;
  while (i < line.length && isOws(line.charCodeAt(i))) i++;
  if (i < line.length && line.charCodeAt(i) !== 59 /* ; */) return -1;
  return size;
}

/** The length of the longest prefix of `buf[0, n)` that does not end inside a UTF-8 sequence. */
function completeUtf8Prefix(buf: Buffer, n: number): number {
  for (let i = n - 1; i >= 0 && i >= n - 4; i--) {
    const b = buf[i] ?? 0;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: the lead is further back
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return i + need > n ? i : n;
  }
  return n;
}
