import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { HttpApp } from './app.js';

export interface RunningServer {
  port: number;
  /** Stops accepting connections and waits for in-flight requests to finish. */
  close(): Promise<void>;
}

export function listen(
  app: Pick<HttpApp, 'fetch'>,
  options: { port: number; host: string },
): Promise<RunningServer> {
  return new Promise((resolveListen, rejectListen) => {
    const server = serve(
      { fetch: app.fetch, port: options.port, hostname: options.host },
      (info: AddressInfo) => {
        resolveListen({
          port: info.port,
          close: () =>
            new Promise<void>((resolveClose) => {
              // close() waits for in-flight requests; idle keep-alive sockets would hold
              // it open, so close those now (and each one as its request completes).
              httpServer.close(() => {
                resolveClose();
              });
              httpServer.closeIdleConnections();
              const sweep = setInterval(() => {
                httpServer.closeIdleConnections();
              }, 100);
              httpServer.once('close', () => {
                clearInterval(sweep);
              });
            }),
        });
      },
    );
    const httpServer = server as Server;
    httpServer.keepAliveTimeout = 65_000;
    httpServer.once('error', rejectListen);
  });
}
