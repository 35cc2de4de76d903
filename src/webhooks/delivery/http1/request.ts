/**
 * Builds a POST request as one string: head and UTF-8 body, written to the socket in a
 * single write. Header values are limited to visible ASCII, space and tab, so the head
 * is the same bytes whether the string is written as UTF-8 or latin1, and nothing a
 * header carries can end a line or the head (request splitting).
 */

/** RFC 9110 token: what a header name may be. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Visible ASCII, space, tab: no CR, LF or NUL, nothing a latin1/UTF-8 mix-up could change. */
const HEADER_VALUE = /^[\t\x20-\x7e]*$/;

export class InvalidRequestError extends Error {
  override name = 'InvalidRequestError';
}

/**
 * `POST path HTTP/1.1` with `host`, the given headers and `content-length`. Throws
 * InvalidRequestError for a header that could not be sent as is; the framing headers
 * (`host`, `content-length`, `transfer-encoding`, `connection`) are this client's own.
 */
export function encodePost(
  path: string,
  host: string,
  headers: Record<string, string>,
  body: string,
): string {
  let head = `POST ${path} HTTP/1.1\r\nhost: ${host}\r\n`;
  for (const name in headers) {
    const value = headers[name] ?? '';
    if (!goodNames.has(name)) checkName(name);
    if (!HEADER_VALUE.test(value)) {
      throw new InvalidRequestError(`invalid value for header ${name}`);
    }
    head += `${name}: ${value}\r\n`;
  }
  return `${head}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/** Names already checked: a sender uses the same few on every request. */
const goodNames = new Set<string>();

function checkName(name: string): void {
  if (!HEADER_NAME.test(name)) {
    throw new InvalidRequestError(`invalid header name ${JSON.stringify(name)}`);
  }
  if (isFramingHeader(name)) {
    throw new InvalidRequestError(`header ${name} is set by the HTTP client`);
  }
  if (goodNames.size < 1_000) goodNames.add(name);
}

function isFramingHeader(name: string): boolean {
  const n = name.length;
  if (n !== 4 && n !== 10 && n !== 14 && n !== 17) return false;
  const lower = name.toLowerCase();
  return (
    lower === 'host' ||
    lower === 'connection' ||
    lower === 'content-length' ||
    lower === 'transfer-encoding'
  );
}
