import { encodeFunctionData, keccak256, parseAbi, parseGwei, type Hex } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import type { ChainSettings } from '../settings.js';
import { hex } from './adapter.js';
import { RpcCallError, type RpcPool } from './rpc.js';

/**
 * Building, signing and broadcasting EIP-1559 transfers, and reading their outcome.
 * Chain-specific half of withdrawals; the nonce bookkeeping and money live in
 * ../withdrawals.
 */
export interface ChainSender {
  readonly chainId: number;
  /**
   * Next nonce counting the node's mempool (`pending`), only mined transactions
   * (`latest`), as of a block number, or as of one exact block (EIP-1898 block hash).
   */
  nonce(
    address: string,
    tag: 'pending' | 'latest' | bigint | { blockHash: string },
  ): Promise<bigint>;
  /** Fees for a new transaction, capped at the chain's `maxFeePerGasGwei`. */
  fees(): Promise<Fees>;
  /** Fees for replacing a transaction sent with `previous`: at least +12.5 %, capped. */
  bumpFees(previous: Fees): Promise<Fees | undefined>;
  sign(
    account: PrivateKeyAccount,
    tx: { nonce: bigint; to: string; amount: bigint; token?: string; gasLimit: bigint; fees: Fees },
  ): Promise<{ raw: Hex; hash: Hex }>;
  /** `accepted`, or `known` when the node already has it or its nonce is used. */
  broadcast(raw: Hex): Promise<'accepted' | 'known'>;
  receipt(
    hash: string,
  ): Promise<{ ok: boolean; blockNumber: bigint; blockHash: string } | undefined>;
  headNumber(): Promise<bigint>;
  blockHashAt(number: bigint): Promise<string | undefined>;
}

export interface Fees {
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

const ERC20 = parseAbi(['function transfer(address to, uint256 amount) returns (bool)']);

// Messages nodes use for "this transaction (or its nonce) is already taken care of".
const KNOWN = /already known|known transaction|nonce too low|already imported|same hash/i;

export function createEvmSender(deps: { settings: ChainSettings; rpc: RpcPool }): ChainSender {
  const { rpc, settings } = deps;
  const cap = parseGwei(String(settings.withdrawals.maxFeePerGasGwei));
  const defaultTip = parseGwei(String(settings.withdrawals.priorityFeeGwei));
  const capped = (f: Fees): Fees => {
    const maxFeePerGas = f.maxFeePerGas > cap ? cap : f.maxFeePerGas;
    const maxPriorityFeePerGas =
      f.maxPriorityFeePerGas > maxFeePerGas ? maxFeePerGas : f.maxPriorityFeePerGas;
    return { maxFeePerGas, maxPriorityFeePerGas };
  };

  const sender: ChainSender = {
    chainId: settings.chainId,
    async nonce(address, tag) {
      const at = typeof tag === 'bigint' ? hex(tag) : tag;
      // A block hash pins the read to that block: the answer cannot come from another
      // branch if the node reorganises meanwhile (it refuses the hash instead).
      return BigInt(await rpc.request<string>('eth_getTransactionCount', [address, at]));
    },
    async fees() {
      const block = await rpc.request<{ baseFeePerGas?: string } | null>('eth_getBlockByNumber', [
        'latest',
        false,
      ]);
      const base = BigInt(block?.baseFeePerGas ?? '0x0');
      let tip = defaultTip;
      try {
        tip = BigInt(await rpc.request<string>('eth_maxPriorityFeePerGas'));
      } catch (err) {
        if (!(err instanceof RpcCallError)) throw err;
      }
      // Twice the base fee survives six full blocks of base-fee growth.
      return capped({ maxFeePerGas: base * 2n + tip, maxPriorityFeePerGas: tip });
    },
    async bumpFees(previous) {
      const now = await sender.fees();
      const bump = (v: bigint) => v + (v + 7n) / 8n; // +12.5 %, rounded up
      const next = capped({
        maxFeePerGas:
          now.maxFeePerGas > bump(previous.maxFeePerGas)
            ? now.maxFeePerGas
            : bump(previous.maxFeePerGas),
        maxPriorityFeePerGas:
          now.maxPriorityFeePerGas > bump(previous.maxPriorityFeePerGas)
            ? now.maxPriorityFeePerGas
            : bump(previous.maxPriorityFeePerGas),
      });
      // Nodes refuse a replacement that does not raise both by 10 %; at the cap, wait.
      if (next.maxFeePerGas * 10n < previous.maxFeePerGas * 11n) return undefined;
      if (next.maxPriorityFeePerGas * 10n < previous.maxPriorityFeePerGas * 11n) return undefined;
      return next;
    },
    async sign(account, tx) {
      const raw = await account.signTransaction({
        type: 'eip1559',
        chainId: settings.chainId,
        nonce: Number(tx.nonce),
        gas: tx.gasLimit,
        maxFeePerGas: tx.fees.maxFeePerGas,
        maxPriorityFeePerGas: tx.fees.maxPriorityFeePerGas,
        ...(tx.token
          ? {
              to: tx.token as Hex,
              value: 0n,
              data: encodeFunctionData({
                abi: ERC20,
                functionName: 'transfer',
                args: [tx.to as Hex, tx.amount],
              }),
            }
          : { to: tx.to as Hex, value: tx.amount }),
      });
      return { raw, hash: keccak256(raw) };
    },
    async broadcast(raw) {
      try {
        await rpc.request<string>('eth_sendRawTransaction', [raw]);
        return 'accepted';
      } catch (err) {
        if (err instanceof RpcCallError && KNOWN.test(err.message)) return 'known';
        // Some nodes answer with an error yet keep (or, under automine, even mine) the
        // transaction: if the node knows it, it went out.
        const tx = await rpc
          .request<unknown>('eth_getTransactionByHash', [keccak256(raw)])
          .catch(() => null);
        if (tx) return 'known';
        throw err;
      }
    },
    async receipt(hash) {
      const r = await rpc.request<{
        status: string;
        blockNumber: string;
        blockHash: string;
      } | null>('eth_getTransactionReceipt', [hash]);
      if (!r) return undefined;
      return {
        ok: r.status === '0x1',
        blockNumber: BigInt(r.blockNumber),
        blockHash: r.blockHash.toLowerCase(),
      };
    },
    async headNumber() {
      return BigInt(await rpc.request<string>('eth_blockNumber'));
    },
    async blockHashAt(number) {
      const b = await rpc.request<{ hash: string } | null>('eth_getBlockByNumber', [
        hex(number),
        false,
      ]);
      return b?.hash.toLowerCase();
    },
  };
  return sender;
}
