import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { lines, logger: createLogger({ level: 'info', destination }) };
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
});
