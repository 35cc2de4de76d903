import { HDKey } from '@scure/bip32';
import { generateMnemonic, mnemonicToSeedSync, validateMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english';
import { secp256k1 } from '@noble/curves/secp256k1';
import { bytesToHex } from 'viem';
import { privateKeyToAccount, publicKeyToAddress, type PrivateKeyAccount } from 'viem/accounts';

/**
 * BIP-39 / BIP-32 / BIP-44 key derivation for EVM chains, on the audited @scure and
 * @noble libraries.
 *
 * Deposit addresses: m/44'/60'/0'/0/i, one index per user. They derive from the
 * account-level public key alone (the xpub), so the API never needs the seed, and a
 * watch-only deployment needs nothing else.
 * Hot wallet: m/44'/60'/1'/0/0, a different hardened account, so the deposit xpub
 * reveals nothing about it.
 */
export const DEPOSIT_ACCOUNT_PATH = "m/44'/60'/0'";
export const HOT_WALLET_PATH = "m/44'/60'/1'/0/0";

export function newMnemonic(): string {
  return generateMnemonic(wordlist, 256);
}

export function isValidMnemonic(mnemonic: string): boolean {
  return validateMnemonic(normalizeMnemonic(mnemonic), wordlist);
}

export function normalizeMnemonic(mnemonic: string): string {
  return mnemonic.trim().split(/\s+/).join(' ').toLowerCase();
}

/** The seed's keys we hold in memory: the master key stays inside this closure. */
export interface HdWallet {
  /** xpub of m/44'/60'/0' (deposit addresses). */
  depositXpub: string;
  hotWallet(): PrivateKeyAccount;
  /** The private key of deposit address `index` (sweeps, recovery). */
  depositAccount(index: number): PrivateKeyAccount;
}

export function hdWalletFromMnemonic(mnemonic: string): HdWallet {
  const root = HDKey.fromMasterSeed(mnemonicToSeedSync(normalizeMnemonic(mnemonic)));
  const depositAccountKey = root.derive(DEPOSIT_ACCOUNT_PATH);
  const accountOf = (key: HDKey): PrivateKeyAccount => {
    if (!key.privateKey) throw new Error('derived key has no private key');
    return privateKeyToAccount(bytesToHex(key.privateKey));
  };
  return {
    depositXpub: depositAccountKey.publicExtendedKey,
    hotWallet: () => accountOf(root.derive(HOT_WALLET_PATH)),
    depositAccount: (index) => accountOf(depositAccountKey.deriveChild(0).deriveChild(index)),
  };
}

/**
 * The external chain (`…/0`) of each xpub seen, kept: parsing the xpub and deriving that
 * level took more than half of each address's time, and invoices derive one per creation.
 * A deployment has one xpub (two in tests that switch), so the map stays tiny.
 */
const externalChains = new Map<string, HDKey>();

/** Address of deposit index `index` from the account-level xpub (lowercase). */
export function depositAddressFromXpub(xpub: string, index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= 2 ** 31) {
    throw new Error(`derivation index out of range: ${index}`);
  }
  let external = externalChains.get(xpub);
  if (!external) {
    external = HDKey.fromExtendedKey(xpub).deriveChild(0);
    if (externalChains.size >= 8) externalChains.clear();
    externalChains.set(xpub, external);
  }
  const key = external.deriveChild(index);
  if (!key.publicKey) throw new Error('xpub derived no public key');
  const uncompressed = secp256k1.ProjectivePoint.fromHex(key.publicKey).toRawBytes(false);
  return publicKeyToAddress(bytesToHex(uncompressed)).toLowerCase();
}

/** True for an xpub that parses and carries only a public key. */
export function isValidXpub(xpub: string): boolean {
  try {
    const key = HDKey.fromExtendedKey(xpub);
    return key.privateKey === null && key.depth === 3;
  } catch {
    return false;
  }
}
