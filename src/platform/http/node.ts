import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Node's request and response behind a hono context when @hono/node-server serves a
 * socket (absent for in-process requests, `app.request`). Reading headers or the body
 * through `c.req` makes @hono/node-server build a fetch Request, Headers and a body
 * stream first: a cost on every request (bench:api CPU profile), so the hot middleware
 * reads Node's parsed request instead.
 */
export interface NodeBindings {
  incoming?: IncomingMessage;
  outgoing?: ServerResponse;
}

export function nodeBindings(c: { env: unknown }): NodeBindings {
  return (c.env as NodeBindings | undefined) ?? {};
}

/**
 * A request header (`name` in lower case), from Node's parsed headers when served over a
 * socket. Node keeps the first of repeated `Authorization` headers and joins other
 * repeats with ", " as fetch does.
 */
export function requestHeader(
  c: { env: unknown; req: { header(name: string): string | undefined } },
  name: string,
): string | undefined {
  const { incoming } = nodeBindings(c);
  if (!incoming) return c.req.header(name);
  const value = incoming.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
