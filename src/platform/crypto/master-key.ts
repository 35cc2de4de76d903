import { hkdfSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The master key from configuration, or in dev/qa one generated once into the data
 * folder (mode 0600) so a laptop run needs no setup. prod refuses to start without an
 * explicit key (checked in config).
 */
export function resolveMasterKey(options: {
  masterKey: string | undefined;
  dataDir: string;
  onGenerated?: (path: string) => void;
}): Buffer {
  if (options.masterKey !== undefined) return Buffer.from(options.masterKey, 'base64');
  const dir = resolve(options.dataDir);
  const path = join(dir, 'master.key');
  if (existsSync(path)) {
    const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new Error(`${path} does not hold a 32-byte base64 key`);
    return key;
  }
  mkdirSync(dir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(path, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  options.onGenerated?.(path);
  return key;
}

/**
 * A key for one purpose derived from the master key (HKDF-SHA256 with the purpose as
 * `info`): a key that signs one kind of record can never sign or decrypt another, and
 * the master key itself never has to leave the process's memory.
 */
export function derivePurposeKey(masterKey: Buffer, purpose: string, length = 32): Buffer {
  if (masterKey.length !== 32) throw new Error('master key must be 32 bytes');
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), purpose, length));
}
