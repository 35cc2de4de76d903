import { readFile } from 'node:fs/promises';
import type { AuditLog, AuditVerifyResult } from './audit.js';
import type { AuditAnchorer } from './anchorer.js';

/**
 * `vaultwire audit verify [--anchors <file>]`: walks the whole chain, and with an anchor
 * file also checks every anchor in it. Exit 0 with a summary when intact; 1 naming the
 * first broken link or failing anchor; 2 when the anchor file cannot be read.
 */
export async function auditVerifyCommand(
  deps: {
    audit: AuditLog;
    /** Shows the last anchor exported, when anchoring is on. */
    anchorer?: Pick<AuditAnchorer, 'last' | 'sinks'> | undefined;
    output: { out(line: string): void; err(line: string): void };
  },
  opts: { json?: boolean | undefined; anchors?: string | undefined } = {},
): Promise<number> {
  let anchorText: string | undefined;
  if (opts.anchors !== undefined) {
    try {
      anchorText = await readFile(opts.anchors, 'utf8');
    } catch (err) {
      deps.output.err(`Cannot read the anchor file ${opts.anchors}: ${(err as Error).message}`);
      return 2;
    }
  }
  const result = await deps.audit.verify(anchorText !== undefined ? { anchors: anchorText } : {});
  if (opts.json) {
    deps.output.out(
      JSON.stringify(result, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2),
    );
    return result.ok ? 0 : 1;
  }
  if (!result.ok) {
    deps.output.err(brokenMessage(result, opts.anchors ?? 'the anchor file'));
    return 1;
  }
  deps.output.out(
    result.events === 0
      ? 'Audit chain intact: no events yet.'
      : `Audit chain intact: ${result.events} events, head seq ${result.head.seq} hash ${result.head.hash}.`,
  );
  if (result.anchors) {
    const n = result.anchors.newest;
    deps.output.out(
      n
        ? `Matches all ${result.anchors.checked} anchors in ${opts.anchors}; the newest pins seq ${n.seq} (anchored ${n.anchoredAt.toISOString()}).`
        : `${opts.anchors} holds no anchors: nothing to compare the chain with.`,
    );
  }
  const last =
    deps.anchorer && deps.anchorer.sinks.length > 0 ? await deps.anchorer.last() : undefined;
  if (last) {
    deps.output.out(
      `Last anchor exported: seq ${last.seq} at ${last.anchoredAt.toISOString()}, taken by ${last.sinks.length > 0 ? last.sinks.join(', ') : 'no sink yet'}.`,
    );
  } else if (result.events > 0 && !result.anchors) {
    deps.output.out(
      'Keep the head hash somewhere else (a ticket, a log store), or turn on anchoring (VW_AUDIT_ANCHOR_FILE, VW_AUDIT_ANCHOR_URL): a later verify that still contains it proves nothing before it changed.',
    );
  }
  return 0;
}

function brokenMessage(result: AuditVerifyResult & { ok: false }, file: string): string {
  const b = result.broken;
  const at = b.anchor
    ? `line ${b.anchor.line} of ${file}${b.anchor.anchoredAt ? ` (anchored ${b.anchor.anchoredAt.toISOString()})` : ''}`
    : '';
  switch (b.reason) {
    case 'anchor_invalid':
      return `Audit anchor on ${at} is not genuine: ${b.actual}.`;
    case 'anchor_mismatch':
      return (
        `Audit chain does NOT match the anchor on ${at}: event ${b.seq} has hash ${b.actual}, ` +
        `the anchor pins ${b.expected}. The chain was rewritten at or before seq ${b.seq}; ` +
        `${result.events} events before it verify.`
      );
    case 'anchor_beyond_head':
      return (
        `Audit chain is SHORTER than the anchor on ${at}: the anchor pins seq ${b.seq}, ` +
        `${b.actual}. Events were removed from the end of the chain.`
      );
    default:
      return (
        `Audit chain BROKEN at seq ${b.seq} (${b.reason}): expected ${b.expected}, found ${b.actual}. ` +
        `${result.events} events before it verify.`
      );
  }
}
