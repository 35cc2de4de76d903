import { z } from 'zod';

/**
 * The wallet's configuration sections that are more than one scalar: prices of the
 * static source and the limits per verification tier. They come from the YAML file
 * (`walletStaticPrices:`, `walletLimits:`) or, as JSON, from the environment.
 *
 * @example
 * walletStaticPrices: { BTC-USD: "65000.00", ETH-USD: "3200.00" }
 * walletLimits:
 *   unverified:
 *     perTransaction: { USD: "1000.00", BTC: "0.05" }
 *     daily: { USD: "2000.00", BTC: "0.1" }
 *     perHour: 20
 *   verified: { … }
 *   enhanced: { … }
 */

/** Verification tiers, lowest first. New users start at the first. */
export const TIERS = ['unverified', 'verified', 'enhanced'] as const;
export type Tier = (typeof TIERS)[number];

const assetCode = z.string().regex(/^[A-Z][A-Z0-9]{1,15}$/, 'must be an asset code like USD');
const decimalAmount = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,40})(\.[0-9]{1,36})?$/, 'must be a decimal amount like "1000.00"');
const pair = z
  .string()
  .regex(/^[A-Z][A-Z0-9]{1,15}-[A-Z][A-Z0-9]{1,15}$/, 'must be a pair like BTC-USD');
const positiveDecimal = decimalAmount.refine((s) => /[1-9]/.test(s), 'must be positive');

/** `BASE-QUOTE` → how many QUOTE one BASE is worth (a positive decimal). */
export const StaticPricesSchema = z.record(pair, positiveDecimal);
export type StaticPrices = z.infer<typeof StaticPricesSchema>;

const TierLimitsSchema = z.strictObject({
  /**
   * Largest single outgoing movement (payment, trade spend, fiat withdrawal), per asset.
   * An asset missing here cannot be moved out at this tier: limits fail closed.
   */
  perTransaction: z.record(assetCode, decimalAmount),
  /** Most that may leave per UTC day, per asset (same fail-closed rule). */
  daily: z.record(assetCode, decimalAmount),
  /** Outgoing movements of any asset per clock hour (UTC): the velocity limit. */
  perHour: z.number().int().positive().max(1_000_000),
});
export type TierLimits = z.infer<typeof TierLimitsSchema>;

export const WalletLimitsSchema = z.strictObject({
  unverified: TierLimitsSchema,
  verified: TierLimitsSchema,
  enhanced: TierLimitsSchema,
});
export type WalletLimits = z.infer<typeof WalletLimitsSchema>;

function tier(scale: number, perHour: number): TierLimits {
  const usd = (n: number) => `${n * scale}.00`;
  return {
    perTransaction: {
      USD: usd(1000),
      EUR: usd(1000),
      GBP: usd(1000),
      USDC: usd(1000),
      BTC: (0.05 * scale).toFixed(2),
      ETH: String(scale),
    },
    daily: {
      USD: usd(2000),
      EUR: usd(2000),
      GBP: usd(2000),
      USDC: usd(2000),
      BTC: (0.1 * scale).toFixed(2),
      ETH: String(2 * scale),
    },
    perHour,
  };
}

/** Defaults: ×10 per tier. Operators tune them to their licence and risk appetite. */
export const DEFAULT_WALLET_LIMITS: WalletLimits = {
  unverified: tier(1, 30),
  verified: tier(10, 120),
  enhanced: tier(100, 600),
};

/** Demo prices for dev and qa, so a fresh checkout can quote; none in prod. */
export const DEMO_STATIC_PRICES: StaticPrices = {
  'BTC-USD': '65000.00',
  'ETH-USD': '3200.00',
  'USDC-USD': '1.00',
  'BTC-EUR': '60000.00',
  'ETH-EUR': '2950.00',
};

export const PRICE_SOURCES = ['static', 'coinbase'] as const;
export type PriceSourceName = (typeof PRICE_SOURCES)[number];
