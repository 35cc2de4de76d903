import { writeFile } from 'node:fs/promises';
import { listAll, reportFailure, type ApiClient } from '../platform/cli/api-client.js';
import type { CliOutput } from '../platform/modules/descriptor.js';

/**
 * `vaultwire campaigns list|create|generate|export`: the campaigns API, called with the
 * caller's own token (a member's session or key, or the merchant's live key), as functions
 * returning an exit code (0 done, 1 refused, 2 bad input); module.ts wires them to
 * commander. A create prints the new id on stdout unless `--json` asks for the object.
 */

interface CampaignView {
  id: string;
  merchant_id: string | null;
  name: string;
  channel: string;
  currency: string;
  status: string;
  starts_at: string;
  ends_at: string | null;
  redemption_limit: number | null;
  redemptions_used: number;
}

interface GenerationView {
  id: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  requested: number;
  generated: number;
  error: string | null;
}

const path = (id: string) => `/v1/campaigns/${encodeURIComponent(id)}`;

export async function runCampaignsList(
  api: ApiClient,
  io: CliOutput,
  opts: { merchant?: string | undefined; json?: boolean | undefined },
): Promise<number> {
  const query = opts.merchant ? `?merchant=${encodeURIComponent(opts.merchant)}` : '';
  const r = await listAll<CampaignView>(api, `/v1/campaigns${query}`);
  if ('failed' in r) return reportFailure(io, 'Cannot list campaigns', r.failed);
  for (const c of r.items) {
    if (opts.json) {
      io.out(JSON.stringify(c));
      continue;
    }
    const cap = c.redemption_limit === null ? '' : `${c.redemptions_used}/${c.redemption_limit}`;
    io.out(
      `${c.id}  ${c.name.padEnd(24)} ${c.channel.padEnd(14)} ${c.currency.padEnd(5)} ${c.status.padEnd(7)} ${cap}`.trimEnd(),
    );
  }
  if (r.items.length === 0 && !opts.json) io.out('No campaigns.');
  return 0;
}

export interface CampaignCreateOptions {
  merchant?: string | undefined;
  name: string;
  channel: string;
  currency: string;
  startsAt?: string | undefined;
  endsAt?: string | undefined;
  /** Exactly one of these is the rule. */
  percentOff?: number | undefined;
  amountOff?: string | undefined;
  freeVariant?: string | undefined;
  minSpend?: string | undefined;
  firstOrderOnly?: boolean | undefined;
  store?: string[] | undefined;
  product?: string[] | undefined;
  segment?: string | undefined;
  budget?: string | undefined;
  redemptionLimit?: number | undefined;
  perCustomerLimit?: number | undefined;
  json?: boolean | undefined;
}

/** The request body of a campaign, or why the options cannot make one. */
export function campaignBody(
  opts: CampaignCreateOptions,
  now: Date,
): Record<string, unknown> | string {
  const rules = [opts.percentOff, opts.amountOff, opts.freeVariant].filter((x) => x !== undefined);
  if (rules.length !== 1) {
    return 'give exactly one rule: --percent-off <bps>, --amount-off <amount> or --free-variant <id>';
  }
  const rule =
    opts.percentOff !== undefined
      ? { kind: 'percentage', percent_bps: opts.percentOff }
      : opts.amountOff !== undefined
        ? { kind: 'fixed', amount: opts.amountOff }
        : { kind: 'free_item', free_variant_id: opts.freeVariant };
  const target = {
    ...(opts.store?.length ? { store_ids: opts.store } : {}),
    ...(opts.product?.length ? { product_ids: opts.product } : {}),
    ...(opts.segment ? { segment: opts.segment } : {}),
  };
  return {
    ...(opts.merchant ? { merchant: opts.merchant } : {}),
    name: opts.name,
    channel: opts.channel,
    currency: opts.currency,
    starts_at: opts.startsAt ?? now.toISOString(),
    ...(opts.endsAt ? { ends_at: opts.endsAt } : {}),
    rule: {
      ...rule,
      ...(opts.minSpend ? { min_spend: opts.minSpend } : {}),
      ...(opts.firstOrderOnly ? { first_order_only: true } : {}),
    },
    ...(Object.keys(target).length > 0 ? { target } : {}),
    ...(opts.budget ? { budget: opts.budget } : {}),
    ...(opts.redemptionLimit !== undefined ? { redemption_limit: opts.redemptionLimit } : {}),
    ...(opts.perCustomerLimit !== undefined ? { per_customer_limit: opts.perCustomerLimit } : {}),
  };
}

export async function runCampaignsCreate(
  api: ApiClient,
  io: CliOutput,
  opts: CampaignCreateOptions,
): Promise<number> {
  const body = campaignBody(opts, new Date());
  if (typeof body === 'string') {
    io.err(`Campaign not created: ${body}`);
    return 2;
  }
  const r = await api.call('POST', '/v1/campaigns', body);
  if (r.status !== 201) return reportFailure(io, 'Campaign not created', r);
  const c = r.body as CampaignView;
  io.out(opts.json ? JSON.stringify(c) : c.id);
  io.err(`Created ${c.name} (${c.id}) for ${c.merchant_id ?? ''}`);
  return 0;
}

export async function runCampaignsAddCode(
  api: ApiClient,
  io: CliOutput,
  opts: { campaign: string; code: string; usageLimit?: number | undefined },
): Promise<number> {
  const r = await api.call('POST', `${path(opts.campaign)}/codes`, {
    code: opts.code,
    ...(opts.usageLimit !== undefined ? { usage_limit: opts.usageLimit } : {}),
  });
  if (r.status !== 201) return reportFailure(io, 'Code not added', r);
  io.out((r.body as { code: string }).code);
  return 0;
}

export async function runCampaignsGenerate(
  api: ApiClient,
  io: CliOutput,
  opts: {
    campaign: string;
    count: number;
    length?: number | undefined;
    prefix?: string | undefined;
    pattern?: string | undefined;
    usageLimit?: number | undefined;
    /** For a generation run as a job: wait for it to end, polling every this many ms. */
    waitMs?: number | undefined;
    sleep?: (ms: number) => Promise<void>;
  },
): Promise<number> {
  const r = await api.call('POST', `${path(opts.campaign)}/codes/generate`, {
    count: opts.count,
    ...(opts.length !== undefined ? { length: opts.length } : {}),
    ...(opts.prefix !== undefined ? { prefix: opts.prefix } : {}),
    ...(opts.pattern !== undefined ? { pattern: opts.pattern } : {}),
    ...(opts.usageLimit !== undefined ? { usage_limit: opts.usageLimit } : {}),
  });
  if (r.status === 201) {
    const made = r.body as { generated: number; sample: string[] };
    io.out(`Generated ${made.generated} codes (for example ${made.sample.join(', ')})`);
    return 0;
  }
  if (r.status !== 202) return reportFailure(io, 'Codes not generated', r);
  let g = r.body as GenerationView;
  io.out(`Generation ${g.id} queued: ${g.requested} codes`);
  if (opts.waitMs === undefined) return 0;
  const sleep = opts.sleep ?? ((ms: number) => new Promise((res) => setTimeout(res, ms)));
  while (g.status === 'queued' || g.status === 'running') {
    await sleep(opts.waitMs);
    const polled = await api.call('GET', `${path(opts.campaign)}/generations/${g.id}`);
    if (polled.status !== 200) return reportFailure(io, 'Generation not found', polled);
    g = polled.body as GenerationView;
    io.err(`  ${g.status}: ${g.generated} of ${g.requested}`);
  }
  if (g.status === 'failed') {
    io.err(`Generation ${g.id} failed after ${g.generated} codes: ${g.error ?? ''}`);
    return 1;
  }
  io.out(`Generated ${g.generated} codes`);
  return 0;
}

/** Every code as CSV (`code,kind,usage_limit,used,created_at`), to stdout or a file. */
export async function runCampaignsExport(
  api: ApiClient,
  io: CliOutput,
  opts: { campaign: string; out?: string | undefined },
): Promise<number> {
  const r = await api.call('GET', `${path(opts.campaign)}/codes/export`);
  if (r.status !== 200) return reportFailure(io, 'Codes not exported', r);
  if (opts.out) {
    await writeFile(opts.out, r.text, { mode: 0o600 });
    io.err(`Wrote ${r.text.split('\n').length - 2} codes to ${opts.out}`);
  } else {
    io.out(r.text.replace(/\n$/, ''));
  }
  return 0;
}
