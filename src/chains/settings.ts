import { z } from 'zod';

/**
 * The `chains` configuration section: every chain this deployment follows. It is a list
 * of mappings, so it comes from the YAML file (`chains:`) or, as JSON, from `VW_CHAINS`.
 *
 * @example
 * chains:
 *   - key: eth
 *     chainId: 1
 *     rpcUrls: [https://rpc-a.example, https://rpc-b.example]
 *     confirmations: 12
 *     nativeAsset: { code: ETH, decimals: 18 }
 *     tokens: [{ code: USDC, address: "0xA0b8…", decimals: 6 }]
 */

const evmAddress = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x-prefixed 20-byte address');
const topic = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'must be a 32-byte hex topic');
const decimalAmount = z.string().regex(/^\d{1,40}(\.\d{1,36})?$/, 'must be a decimal amount');
const assetCode = z.string().regex(/^[A-Z0-9][A-Z0-9._-]{0,19}$/, 'must be an asset code like ETH');

const TokenSettings = z.strictObject({
  code: assetCode,
  address: evmAddress,
  decimals: z.number().int().min(0).max(36),
  /** Gas limit for a withdrawal transfer of this token. */
  gasLimit: z.number().int().min(21_000).max(10_000_000).default(120_000),
});

/**
 * The `filter` of raw logs emitted because a webhook subscription names their contract
 * (not a configured filter). Reserved, so a stored event says which of the two it came from.
 */
export const SUBSCRIBED_FILTER = 'subscribed';

const LogFilterSettings = z.strictObject({
  /** Name shown on the stored events (`kind = log`, `filter = name`). */
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/)
    .refine((n) => n !== SUBSCRIBED_FILTER, {
      message: `"${SUBSCRIBED_FILTER}" is reserved for logs of contracts that webhook subscriptions name`,
    }),
  address: z.union([evmAddress, z.array(evmAddress).min(1)]).optional(),
  /** Per position: a topic, any of several, or null for "anything". */
  topics: z
    .array(z.union([topic, z.array(topic).min(1), z.null()]))
    .max(4)
    .default([]),
  /** Human-readable event signatures (`event Noted(address indexed who, ...)`) to decode with. */
  abi: z.array(z.string().startsWith('event ')).default([]),
});

const WithdrawalSettings = z.strictObject({
  enabled: z.boolean().default(true),
  /** Ceiling on maxFeePerGas, in gwei; estimates and replacements never exceed it. */
  maxFeePerGasGwei: z.number().positive().default(500),
  /** Priority fee (tip) in gwei when the node suggests none. */
  priorityFeeGwei: z.number().nonnegative().default(1.5),
  /** A broadcast transaction not mined after this long is replaced with higher fees. */
  stuckAfterSeconds: z.number().int().positive().default(180),
  /** Per asset code: amounts above this need an operator's approval. */
  approvalAbove: z.record(assetCode, decimalAmount).default({}),
  /** Per asset code: most a user may withdraw per UTC day. */
  dailyLimit: z.record(assetCode, decimalAmount).default({}),
  /** Only send to addresses on the user's allowlist. */
  requireAllowlist: z.boolean().default(false),
});

export const ChainSettingsSchema = z.strictObject({
  /** Our name for the chain, used in URLs and ids (`eth`, `base`, `local`). */
  key: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'must be lowercase letters, digits and -'),
  kind: z.literal('evm').default('evm'),
  chainId: z.number().int().positive(),
  rpcUrls: z.array(z.url({ protocol: /^https?$/ })).min(1),
  /** Optional WebSocket endpoint: `newHeads` wakes the follower at once (polling stays). */
  wsUrl: z.url({ protocol: /^wss?$/ }).optional(),
  /** Blocks on top of a block before its events are `confirmed`. */
  confirmations: z.number().int().min(0).max(10_000).default(12),
  pollMs: z.number().int().min(50).max(600_000).default(2000),
  /**
   * Recent blocks kept (number, hash, parent) to find the common ancestor of a reorg.
   * Must exceed `confirmations`; a reorg deeper than this halts the follower loudly.
   */
  windowBlocks: z.number().int().min(8).max(100_000).default(256),
  /** Where a follower with no cursor starts: a block number, or `latest`. */
  startBlock: z.union([z.number().int().nonnegative(), z.literal('latest')]).default('latest'),
  /** Blocks fetched ahead in parallel while catching up. */
  fetchConcurrency: z.number().int().min(1).max(256).default(16),
  nativeAsset: z.strictObject({ code: assetCode, decimals: z.number().int().min(0).max(36) }),
  tokens: z.array(TokenSettings).default([]),
  logFilters: z.array(LogFilterSettings).default([]),
  withdrawals: WithdrawalSettings.default(WithdrawalSettings.parse({})),
});

export type ChainSettings = z.infer<typeof ChainSettingsSchema>;
export type TokenSettings = z.infer<typeof TokenSettings>;
export type LogFilterSettings = z.infer<typeof LogFilterSettings>;

/** The whole section, with cross-field checks (unique keys, window larger than depth). */
export const ChainsSettingsSchema = z.array(ChainSettingsSchema).superRefine((chains, ctx) => {
  const keys = new Set<string>();
  chains.forEach((c, i) => {
    if (keys.has(c.key)) {
      ctx.addIssue({
        code: 'custom',
        path: [i, 'key'],
        message: `chain key "${c.key}" is used twice`,
      });
    }
    keys.add(c.key);
    if (c.windowBlocks <= c.confirmations) {
      ctx.addIssue({
        code: 'custom',
        path: [i, 'windowBlocks'],
        message: 'windowBlocks must be larger than confirmations',
      });
    }
    const codes = new Set([c.nativeAsset.code]);
    for (const t of c.tokens) {
      if (codes.has(t.code)) {
        ctx.addIssue({
          code: 'custom',
          path: [i, 'tokens'],
          message: `asset ${t.code} appears twice`,
        });
      }
      codes.add(t.code);
    }
  });
});
