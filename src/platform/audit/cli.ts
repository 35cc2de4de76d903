import type { AuditLog } from './audit.js';

/**
 * `vaultwire audit verify`: walks the whole chain. Exit 0 with a summary when it is
 * intact; exit 1 naming the first broken link.
 */
export async function auditVerifyCommand(
  deps: { audit: AuditLog; output: { out(line: string): void; err(line: string): void } },
  opts: { json?: boolean | undefined } = {},
): Promise<number> {
  const result = await deps.audit.verify();
  if (opts.json) {
    deps.output.out(
      JSON.stringify(result, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2),
    );
    return result.ok ? 0 : 1;
  }
  if (result.ok) {
    deps.output.out(
      result.events === 0
        ? 'Audit chain intact: no events yet.'
        : `Audit chain intact: ${result.events} events, head seq ${result.head.seq} hash ${result.head.hash}.`,
    );
    if (result.events > 0) {
      deps.output.out(
        'Keep the head hash somewhere else (a ticket, a log store): a later verify that still contains it proves nothing before it changed.',
      );
    }
    return 0;
  }
  const b = result.broken;
  deps.output.err(
    `Audit chain BROKEN at seq ${b.seq} (${b.reason}): expected ${b.expected}, found ${b.actual}. ` +
      `${result.events} events before it verify.`,
  );
  return 1;
}
