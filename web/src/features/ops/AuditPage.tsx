import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { api, unwrap, type Schema } from '../../api';
import { Empty } from '../../components/States';
import { Badge, QueryView, shortTime, Table } from '../../components/ui';

type AuditEvent = Schema<'AuditEvent'>;

/** JSON with object keys sorted at every level, as the server hashes it. */
function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Recomputes an event's hash in the browser (SHA-256 over the previous hash and the
 * event's fields in the server's fixed order), so the page checks what it shows rather
 * than trusting a flag the server could set.
 */
export async function auditEventHash(e: AuditEvent): Promise<string> {
  const body = canonicalJson([
    e.seq,
    e.id,
    e.occurred_at,
    e.action,
    e.actor.type,
    e.actor.id,
    e.actor.credential_id,
    e.target.type,
    e.target.id,
    e.ip,
    e.request_id,
    e.data,
  ]);
  const digest = await crypto.subtle.digest(
    'SHA-256',
    new TextEncoder().encode(`${e.prev_hash}\n${body}`),
  );
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

type Check = 'ok' | 'hash_mismatch' | 'link_broken';

/** The audit log: anchor status, the events with each one's hash and link re-checked. */
export function AuditPage() {
  const anchors = useQuery({
    queryKey: ['ops', 'audit', 'anchors'],
    queryFn: async () => unwrap(await api.GET('/v1/audit_anchors/status')),
  });
  const events = useInfiniteQuery({
    queryKey: ['ops', 'audit', 'events'],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) =>
      unwrap(
        await api.GET('/v1/audit_events', {
          params: { query: { limit: 50, ...(pageParam ? { starting_after: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => (last.has_more ? (last.next_cursor ?? undefined) : undefined),
  });
  const list = useMemo(() => events.data?.pages.flatMap((p) => p.data) ?? [], [events.data]);
  const checks = useChecks(list);
  const broken = [...checks.values()].filter((c) => c !== 'ok').length;
  return (
    <>
      <section className="card" aria-labelledby="anchor-title">
        <h2 id="anchor-title">Anchors</h2>
        <QueryView query={anchors}>
          {(a) =>
            !a.enabled ? (
              <p>
                <Badge value="disabled" /> No anchor sink configured (VW_AUDIT_ANCHOR_FILE or
                VW_AUDIT_ANCHOR_URL): the chain is checked against itself only.
              </p>
            ) : (
              <dl className="facts">
                <dt>Sinks</dt>
                <dd>{a.sinks.join(', ')}</dd>
                <dt>Last anchor</dt>
                <dd>
                  {a.last ? `event ${a.last.seq}, ${shortTime(a.last.anchored_at)}` : 'none yet'}
                </dd>
                <dt>Behind</dt>
                <dd>
                  {a.sinks_behind.length ? (
                    <Badge value={`behind: ${a.sinks_behind.join(', ')}`} />
                  ) : (
                    <Badge value="ok" />
                  )}
                </dd>
              </dl>
            )
          }
        </QueryView>
      </section>
      <h2>Events</h2>
      {list.length > 0 && (
        <p role="status" className={broken ? 'banner' : 'card success'}>
          {checks.size < list.length
            ? 'Checking hashes…'
            : broken
              ? `${broken} of ${list.length} events fail the check: the log was changed.`
              : `All ${list.length} events shown verified: each hash recomputed and linked to the one before.`}
        </p>
      )}
      <QueryView
        query={events}
        isEmpty={(d) => d.pages[0]?.data.length === 0}
        empty={<Empty title="No audit events" />}
      >
        {() => (
          <>
            <Table
              caption="Audit events"
              head={['#', 'When', 'Action', 'Actor', 'Target', 'Check']}
            >
              {list.map((e) => (
                <tr key={e.id}>
                  <td className="num">{e.seq}</td>
                  <td>{shortTime(e.occurred_at)}</td>
                  <td>{e.action}</td>
                  <td className="mono">{e.actor.id ?? e.actor.type}</td>
                  <td className="mono">
                    {e.target.id ? `${e.target.type ?? ''} ${e.target.id}` : '—'}
                  </td>
                  <td>
                    {checks.has(e.id) ? (
                      <Badge value={checks.get(e.id) === 'ok' ? 'ok' : (checks.get(e.id) ?? '')} />
                    ) : (
                      '…'
                    )}
                  </td>
                </tr>
              ))}
            </Table>
            {events.hasNextPage && (
              <button
                type="button"
                className="button secondary"
                disabled={events.isFetchingNextPage}
                onClick={() => void events.fetchNextPage()}
              >
                {events.isFetchingNextPage ? 'Loading…' : 'Show older'}
              </button>
            )}
          </>
        )}
      </QueryView>
    </>
  );
}

/** Each listed event's check: its hash recomputed, and its prev_hash equal to the older one's hash. */
function useChecks(list: AuditEvent[]): Map<string, Check> {
  const [checks, setChecks] = useState(new Map<string, Check>());
  useEffect(() => {
    let live = true;
    void Promise.all(list.map(auditEventHash)).then((hashes) => {
      if (!live) return;
      const out = new Map<string, Check>();
      list.forEach((e, i) => {
        const older = list[i + 1];
        if (hashes[i] !== e.hash) out.set(e.id, 'hash_mismatch');
        else if (
          older &&
          older.seq === (BigInt(e.seq) - 1n).toString() &&
          older.hash !== e.prev_hash
        )
          out.set(e.id, 'link_broken');
        else out.set(e.id, 'ok');
      });
      setChecks(out);
    });
    return () => {
      live = false;
    };
  }, [list]);
  return checks;
}
