import { secp256k1 } from '@noble/curves/secp256k1';
import { HDKey } from '@scure/bip32';
import { bytesToHex } from 'viem';
import { publicKeyToAddress } from 'viem/accounts';
import { afterEach, describe, expect, it } from 'vitest';
import { createSecretBox, localKeyManagement } from '../../platform/crypto/secret-box.js';
import { createLogger } from '../../platform/observability/logger.js';
import { createTestDb, type TestDb } from '../../../test/support/db.js';
import { depositAddressFromXpub, hdWalletFromMnemonic, HOT_WALLET_PATH } from './hd.js';
import { createCustodyService, CustodyConfigError } from './service.js';

const MNEMONIC =
  'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
const secretBox = createSecretBox(localKeyManagement(Buffer.alloc(32, 9)));
const logger = createLogger({ level: 'silent' });

let t: TestDb | undefined;
afterEach(async () => {
  await t?.drop();
  t = undefined;
});

describe('HD derivation', () => {
  it('derives the well-known BIP-44 Ethereum address of the BIP-39 test vector', () => {
    const w = hdWalletFromMnemonic(MNEMONIC);
    // m/44'/60'/0'/0/0 of this mnemonic, as every wallet shows it.
    expect(w.depositAccount(0).address).toBe('0x9858EfFD232B4033E47d90003D41EC34EcaEda94');
    expect(depositAddressFromXpub(w.depositXpub, 0)).toBe(
      '0x9858effd232b4033e47d90003d41ec34ecaeda94',
    );
  });

  it('derives the same deposit addresses from the xpub alone as from the seed', () => {
    const w = hdWalletFromMnemonic(MNEMONIC);
    for (const i of [1, 2, 77, 2 ** 31 - 1]) {
      expect(depositAddressFromXpub(w.depositXpub, i)).toBe(
        w.depositAccount(i).address.toLowerCase(),
      );
    }
    expect(() => depositAddressFromXpub(w.depositXpub, 2 ** 31)).toThrow(/out of range/);
  });

  it("derives each address as @scure/bip32's own public derivation from the xpub does", () => {
    const w = hdWalletFromMnemonic(MNEMONIC);
    const external = HDKey.fromExtendedKey(w.depositXpub).deriveChild(0);
    const indexes = [0, 1, 255, 256, 65_535, 65_536, 2 ** 24, 2 ** 31 - 2];
    for (let n = 0; n < 200; n++) indexes.push(Math.floor(Math.random() * 2 ** 31));
    for (const i of indexes) {
      const key = external.deriveChild(i).publicKey;
      if (!key) throw new Error('no public key');
      const expected = publicKeyToAddress(
        bytesToHex(secp256k1.ProjectivePoint.fromHex(key).toRawBytes(false)),
      ).toLowerCase();
      expect(depositAddressFromXpub(w.depositXpub, i), `index ${i}`).toBe(expected);
    }
  });

  it('keeps the hot wallet on a different hardened account than deposits', () => {
    const w = hdWalletFromMnemonic(MNEMONIC);
    expect(HOT_WALLET_PATH).toBe("m/44'/60'/1'/0/0");
    const hot = w.hotWallet().address.toLowerCase();
    for (let i = 0; i < 20; i++) expect(depositAddressFromXpub(w.depositXpub, i)).not.toBe(hot);
  });
});

describe('custody service', () => {
  it('stores the seed only encrypted, and gives each user one index for every chain', async () => {
    t = await createTestDb('pglite');
    const custody = createCustodyService({
      db: t.db,
      secretBox,
      logger,
      settings: { mnemonic: MNEMONIC },
    });
    expect(await custody.init()).toEqual({ mode: 'seed', created: true });
    const { rows } = await t.db.query<{ sealed_seed: string }>(
      'SELECT sealed_seed FROM custody_wallets',
    );
    expect(rows[0]?.sealed_seed).toMatch(/^v1\./);
    expect(rows[0]?.sealed_seed).not.toContain('abandon');
    expect(await custody.exportMnemonic()).toBe(MNEMONIC);

    const a1 = await custody.depositAddress('usr_a', 'eth');
    const b1 = await custody.depositAddress('usr_b', 'eth');
    const a2 = await custody.depositAddress('usr_a', 'base');
    expect(a1).toEqual(await custody.depositAddress('usr_a', 'eth'));
    expect(a2.address).toBe(a1.address);
    expect(b1.address).not.toBe(a1.address);
    expect(await custody.ownerOf('eth', b1.address.toUpperCase().replace('0X', '0x'))).toBe(
      'usr_b',
    );
    const hot = await custody.hotWalletAddress();
    expect(hot).toBe(hdWalletFromMnemonic(MNEMONIC).hotWallet().address.toLowerCase());
  });

  it('hands out distinct indexes to concurrent first requests', async () => {
    t = await createTestDb('pglite');
    const custody = createCustodyService({ db: t.db, secretBox, logger, settings: {} });
    await custody.init();
    const addrs = await Promise.all(
      Array.from({ length: 10 }, (_, i) => custody.depositAddress(`usr_${i}`, 'eth')),
    );
    expect(new Set(addrs.map((a) => a.index)).size).toBe(10);
    expect(new Set(addrs.map((a) => a.address)).size).toBe(10);
  });

  it('runs watch-only from an xpub: addresses, but no keys', async () => {
    t = await createTestDb('pglite');
    const xpub = hdWalletFromMnemonic(MNEMONIC).depositXpub;
    const custody = createCustodyService({ db: t.db, secretBox, logger, settings: { xpub } });
    expect(await custody.init()).toEqual({ mode: 'watch_only', created: true });
    expect((await custody.depositAddress('usr_x', 'eth')).address).toBe(
      depositAddressFromXpub(xpub, 0),
    );
    expect(await custody.hotWallet()).toBeUndefined();
    expect(await custody.exportMnemonic()).toBeUndefined();
  });

  it('never replaces a stored seed with a different configured one', async () => {
    t = await createTestDb('pglite');
    await createCustodyService({ db: t.db, secretBox, logger, settings: {} }).init();
    const other = createCustodyService({
      db: t.db,
      secretBox,
      logger,
      settings: { mnemonic: MNEMONIC },
    });
    await expect(other.init()).rejects.toBeInstanceOf(CustodyConfigError);
    const bad = createCustodyService({
      db: t.db,
      secretBox,
      logger,
      settings: { mnemonic: 'not a mnemonic at all really' },
    });
    await expect(bad.init()).rejects.toThrow(/not a valid BIP-39/);
  });
});
