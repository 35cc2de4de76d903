import { readFileSync } from 'node:fs';
import { isFailure } from '../platform/failure.js';
import type { CliActor, CliOutput } from '../platform/modules/descriptor.js';
import { chainStatusJson } from './json.js';
import type { ProducerService } from './service.js';

const failed = (out: CliOutput, r: { code: string; message?: string | undefined }) => {
  out.err(`error: ${r.code}${r.message ? `: ${r.message}` : ''}`);
  return 1;
};

/** `vaultwire producer status`: one line per chain (or JSON). */
export async function runProducerStatus(
  producer: ProducerService,
  out: CliOutput,
  opts: { json?: boolean },
): Promise<number> {
  const list = await producer.statusAll();
  if (list.length === 0) {
    out.out('no producer chains configured');
    return 0;
  }
  for (const s of list) {
    const j = chainStatusJson(s);
    if (opts.json) {
      out.out(JSON.stringify(j));
      continue;
    }
    const mark = j.mark ? `${j.mark.height}/${j.mark.round}/${j.mark.step}` : 'none';
    out.out(
      `${j.chain}  active=${j.active_region ?? '-'}  here=${j.region ?? '-'}:${j.local_state ?? 'not running'}  mark=${mark}  key=${j.public_key ?? 'missing'}`,
    );
    for (const r of j.regions ?? []) {
      const consensus =
        r.in_consensus === null
          ? 'consensus unknown'
          : r.in_consensus
            ? 'in consensus'
            : 'OUT OF CONSENSUS';
      out.out(
        [
          `  region ${r.region}: ${r.state}`,
          consensus,
          r.down ? 'DOWN' : null,
          r.banned ? 'BANNED' : null,
          r.reason ? `(${r.reason})` : null,
          r.out_of_consensus_since ? `out since ${r.out_of_consensus_since}` : null,
          `last healthy ${r.last_healthy_at ?? 'never seen'}`,
          `checked ${r.checked_at ?? 'never'}`,
        ]
          .filter((x) => x !== null)
          .join('  '),
      );
    }
  }
  return 0;
}

export async function runProducerSwitchover(
  producer: ProducerService,
  out: CliOutput,
  actor: CliActor,
  opts: { chain: string; to?: string; from?: string },
): Promise<number> {
  if (!opts.to && !opts.from) {
    out.err('error: give --to <region> or --from <region>');
    return 2;
  }
  const r = await producer.switchover(opts.chain, { to: opts.to, from: opts.from }, actor);
  if (isFailure(r)) return failed(out, r);
  out.out(
    `switchover requested on ${opts.chain}: ${opts.from ? `drain ${opts.from}` : 'drain the active region'}${opts.to ? `, promote ${opts.to}` : ''} (expires ${new Date(r.until).toISOString()})`,
  );
  return 0;
}

export async function runProducerExportMark(
  producer: ProducerService,
  out: CliOutput,
  opts: { chain: string },
): Promise<number> {
  const r = await producer.exportMark(opts.chain);
  if (isFailure(r)) return failed(out, r);
  out.out(JSON.stringify(r, null, 2));
  return 0;
}

export async function runProducerImportMark(
  producer: ProducerService,
  out: CliOutput,
  actor: CliActor,
  opts: { chain: string; file: string },
): Promise<number> {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(opts.file, 'utf8'));
  } catch (err) {
    out.err(`error: cannot read ${opts.file}: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }
  const r = await producer.importMark(opts.chain, doc, actor);
  if (isFailure(r)) return failed(out, r);
  out.out(`mark of ${opts.chain} raised to ${r.mark.height}/${r.mark.round}/${r.mark.step}`);
  return 0;
}
