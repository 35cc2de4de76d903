import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

function capture(pretty?: boolean) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return {
    lines,
    logger: createLogger({ level: 'info', destination, ...(pretty ? { pretty } : {}) }),
  };
}

describe('logger', () => {
  it('writes JSON lines with a level name and time', () => {
    const { lines, logger } = capture();
    logger.info({ requestId: 'req_1' }, 'hello');
    const line = JSON.parse(lines[0] ?? '{}');
    expect(line).toMatchObject({ level: 'info', msg: 'hello', requestId: 'req_1' });
    expect(typeof line.time).toBe('string');
  });

  it('redacts secrets wherever they appear in a log object', () => {
    const { lines, logger } = capture();
    logger.info(
      {
        password: 'hunter2-hunter2',
        body: { password: 'pw-in-body', token: 'vws_secret_token' },
        req: { headers: { authorization: 'Bearer vwk_live_secret' } },
        config: { databaseUrl: 'postgres://u:dbpass@h/db', masterKey: 'bWFzdGVy' },
        apiKey: 'vwk_other_secret',
      },
      'with secrets',
    );
    const out = lines.join('');
    for (const secret of [
      'hunter2',
      'pw-in-body',
      'vws_secret_token',
      'vwk_live_secret',
      'dbpass',
      'bWFzdGVy',
      'vwk_other_secret',
    ]) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('[redacted]');
  });

  it('masks card numbers in every line, JSON or pretty, wherever they sit', () => {
    for (const pretty of [false, true]) {
      const { lines, logger } = capture(pretty);
      logger.info({ note: 'card 4242 4242 4242 4242 by phone' }, 'refused 5555-5555-5555-4444');
      logger.error({ err: new Error('charge of 4000000000000002 failed') }, 'oops');
      const out = lines.join('');
      for (const pan of ['4242 4242 4242 4242', '5555-5555-5555-4444', '4000000000000002']) {
        expect(out).not.toContain(pan);
      }
      expect(out).toContain('[card …4242]');
      expect(out).toContain('[card …4444]');
      // Not a card number: not Luhn-valid, or a longer run (a wei amount).
      logger.info({ wei: '20000000000000000', id: '4242424242424241' }, 'kept');
      expect(lines.join('')).toContain('20000000000000000');
      expect(lines.join('')).toContain('4242424242424241');
    }
  });

  it('writes one readable line per entry when pretty, still redacted', () => {
    const { lines, logger } = capture(true);
    logger.info({ requestId: 'req_1', token: 'vws_secret_token' }, 'hello');
    const out = lines.join('');
    expect(out.trim().split('\n')).toHaveLength(1);
    expect(() => JSON.parse(out) as unknown).toThrow();
    expect(out).toMatch(/INFO.*hello.*req_1/);
    expect(out).not.toContain('vws_secret_token');
  });

  // `script` gives the child a terminal, as a developer's shell would.
  const program = [
    "import('./src/platform/observability/logger.ts').then(({ createLogger }) =>",
    "  createLogger({ level: 'info' }).info({ port: 8080 }, 'api listening'))",
  ].join('');
  it('is readable on a terminal and JSON when stdout is not one', () => {
    const onTerminal = spawnSync(
      'script',
      ['-qec', `node --import tsx -e "${program}"`, '/dev/null'],
      { encoding: 'utf8' },
    );
    expect(onTerminal.status).toBe(0);
    expect(onTerminal.stdout).toMatch(/INFO.*api listening/);
    expect(onTerminal.stdout).not.toContain('"msg"');

    const piped = spawnSync('node', ['--import', 'tsx', '-e', program], { encoding: 'utf8' });
    expect(JSON.parse(piped.stdout)).toMatchObject({ level: 'info', msg: 'api listening' });
  });
});
