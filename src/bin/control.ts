/**
 * Running CLI commands inside a server that holds the embedded database.
 *
 * PGlite's files may be opened by one process only, so while `vaultwire start` runs on
 * the embedded database a second `vaultwire wallet …` cannot open them. Instead of
 * serving the database itself to other processes (its single session would then be
 * shared by two clients' transactions), the server listens on a Unix socket in its data
 * directory and runs the command there, on its own services, with the same locking as
 * an API request; the CLI forwards its arguments and prints what comes back. Going
 * through the HTTP API instead would need credentials for operator commands (`admin
 * create`, `keys create`) that exist precisely to make the first credentials.
 *
 * The socket is created 0600 inside the data directory, which already holds the
 * database files and the dev master key: whoever may use it could read those anyway.
 * Only the embedded database uses it; on PostgreSQL every process connects directly.
 */
import { chmodSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

export interface ControlRequest {
  argv: string[];
  /** What the CLI read from its standard input (e.g. `--password-stdin`). */
  stdin?: string | undefined;
}

export interface ControlIo {
  out(line: string): void;
  err(line: string): void;
}

type Reply = { out: string } | { err: string } | { exit: number };

export function controlSocketPath(dataDir: string): string {
  return join(resolve(dataDir), 'vaultwire.sock');
}

/**
 * Serves commands on `path`, one at a time (a developer's tool, not a hot path). `run`
 * returns the command's exit code.
 */
export async function serveControl(
  path: string,
  run: (request: ControlRequest, io: ControlIo) => Promise<number>,
): Promise<{ close(): Promise<void> }> {
  // A socket file left by a process that died; the data directory's lock already
  // guarantees no live server owns it.
  rmSync(path, { force: true });
  let queue = Promise.resolve();
  const server: Server = createServer((socket: Socket) => {
    const send = (reply: Reply) => {
      if (!socket.destroyed) socket.write(`${JSON.stringify(reply)}\n`);
    };
    const lines = createInterface({ input: socket });
    lines.on('error', () => undefined);
    lines.once('line', (line) => {
      lines.close();
      queue = queue.then(async () => {
        let code: number;
        try {
          const request = JSON.parse(line) as ControlRequest;
          if (!Array.isArray(request.argv) || request.argv.some((a) => typeof a !== 'string')) {
            throw new Error('bad request');
          }
          code = await run(request, {
            out: (out) => {
              send({ out });
            },
            err: (err) => {
              send({ err });
            },
          });
        } catch (err) {
          send({ err: `vaultwire: ${(err as Error).message}` });
          code = 1;
        }
        send({ exit: code });
        socket.end();
      });
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(path, () => {
      done();
    });
  });
  chmodSync(path, 0o600);
  return {
    close: () =>
      new Promise<void>((done) => {
        server.close(() => {
          rmSync(path, { force: true });
          done();
        });
      }),
  };
}

/**
 * Runs a command in the server listening on `path`, printing its output through `io`.
 * Returns its exit code, or `undefined` when no server listens there (run it locally).
 */
export function forwardToServer(
  path: string,
  request: ControlRequest,
  io: ControlIo,
): Promise<number | undefined> {
  return new Promise((done, fail) => {
    const socket = connect(path);
    let connected = false;
    let exit: number | undefined;
    socket.once('connect', () => {
      connected = true;
      socket.write(`${JSON.stringify(request)}\n`);
    });
    const lines = createInterface({ input: socket });
    // The socket's own 'error' listener below decides; readline only repeats it.
    lines.on('error', () => undefined);
    lines.on('line', (line) => {
      const reply = JSON.parse(line) as Reply;
      if ('out' in reply) io.out(reply.out);
      else if ('err' in reply) io.err(reply.err);
      else exit = reply.exit;
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // No socket, or one left by a server that died: nobody to forward to.
      if (!connected && (err.code === 'ENOENT' || err.code === 'ECONNREFUSED')) done(undefined);
      else fail(err);
    });
    socket.on('close', () => {
      if (!connected) return;
      if (exit === undefined) fail(new Error('the running server closed the connection'));
      else done(exit);
    });
  });
}
