import { isFailure } from '../platform/failure.js';
import type { WebhooksService } from './service.js';

/**
 * The `vaultwire webhooks …` commands as functions returning an exit code (0 done,
 * 1 refused, 2 bad usage); src/bin/vaultwire.ts only wires them to commander. The CLI
 * acts as an operator: it sees every endpoint.
 */
export interface WebhooksCliOutput {
  out(line: string): void;
  err(line: string): void;
}

const OPERATOR = { userId: 'cli', staff: true };

/** `vaultwire webhooks status [--endpoint whe_…]`: state, failures, queue and lag per endpoint. */
export async function runWebhooksStatus(
  webhooks: WebhooksService,
  io: WebhooksCliOutput,
  opts: { endpoint?: string; json?: boolean },
): Promise<number> {
  const list = opts.endpoint
    ? [await webhooks.endpoints.get(OPERATOR, opts.endpoint)]
    : await webhooks.endpoints.list(OPERATOR, { limit: 1000 });
  for (const e of list) {
    if (isFailure(e)) {
      io.err(`No webhook endpoint ${opts.endpoint ?? ''}`);
      return 1;
    }
    const stats = await webhooks.log.stats(e.id);
    if (opts.json) {
      io.out(JSON.stringify({ ...e, messages: stats.counts, lagSeconds: stats.lagSeconds }));
      continue;
    }
    const counts = Object.entries(stats.counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    io.out(
      `${e.id}  ${e.status.padEnd(8)} ${e.ordered ? 'ordered ' : ''}${e.url}\n` +
        `  messages: ${counts || 'none'}; lag ${stats.lagSeconds.toFixed(1)} s` +
        (e.failingSince ? `; failing since ${e.failingSince.toISOString()}` : '') +
        (e.disabledReason ? `\n  disabled: ${e.disabledReason}` : ''),
    );
  }
  if (list.length === 0) io.out('No webhook endpoints.');
  return 0;
}

/** `vaultwire webhooks dead-letters --endpoint whe_…`: messages that ran out of attempts. */
export async function runWebhooksDeadLetters(
  webhooks: WebhooksService,
  io: WebhooksCliOutput,
  opts: { endpoint: string; limit: number },
): Promise<number> {
  const e = await webhooks.endpoints.get(OPERATOR, opts.endpoint);
  if (isFailure(e)) {
    io.err(`No webhook endpoint ${opts.endpoint}`);
    return 1;
  }
  const dead = await webhooks.log.messages(e.id, { state: 'failed', limit: opts.limit });
  for (const m of dead) {
    io.out(
      `${m.id}  ${m.createdAt.toISOString()}  ${m.eventType.padEnd(20)} attempts ${m.attempts}  ` +
        `last ${m.lastStatus ?? '-'} ${m.lastError ?? ''}`.trimEnd(),
    );
  }
  if (dead.length === 0) io.out('No dead letters.');
  return 0;
}

/**
 * `vaultwire webhooks replay --endpoint whe_… (--message msg_… | --since T --until T |
 * --from-block N --to-block N [--chain key]) [--only-failed]`; `--only-failed` alone replays
 * every dead letter of the endpoint.
 */
/** What `vaultwire webhooks replay` is asked to deliver again. */
export interface ReplayOptions {
  endpoint: string;
  message?: string;
  since?: Date;
  until?: Date;
  fromBlock?: bigint;
  toBlock?: bigint;
  chain?: string;
  onlyFailed?: boolean;
}

export async function runWebhooksReplay(
  webhooks: WebhooksService,
  io: WebhooksCliOutput,
  opts: ReplayOptions,
): Promise<number> {
  const e = await webhooks.endpoints.get(OPERATOR, opts.endpoint);
  if (isFailure(e)) {
    io.err(`No webhook endpoint ${opts.endpoint}`);
    return 1;
  }
  const onlyFailed = opts.onlyFailed ?? false;
  let n: number;
  if (opts.message) {
    n = await webhooks.log.replay(e.id, { messageId: opts.message });
  } else if (opts.since && opts.until && opts.until > opts.since) {
    n = await webhooks.log.replay(e.id, { since: opts.since, until: opts.until, onlyFailed });
  } else if (
    opts.fromBlock !== undefined &&
    opts.toBlock !== undefined &&
    opts.toBlock >= opts.fromBlock
  ) {
    n = await webhooks.log.replay(e.id, {
      fromBlock: opts.fromBlock,
      toBlock: opts.toBlock,
      onlyFailed,
      ...(opts.chain ? { chainKey: opts.chain } : {}),
    });
  } else if (
    opts.onlyFailed &&
    opts.since === undefined &&
    opts.until === undefined &&
    opts.fromBlock === undefined &&
    opts.toBlock === undefined
  ) {
    n = await webhooks.log.replay(e.id, { allFailed: true });
  } else {
    io.err(
      'Give --message, or --since and --until, or --from-block and --to-block, or --only-failed alone',
    );
    return 2;
  }
  io.out(`${n} message(s) put back for delivery to ${e.id}`);
  return 0;
}
