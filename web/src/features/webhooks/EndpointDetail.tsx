import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { VaultwireClient } from '@vaultwire/client';
import { useId, useState } from 'react';
import { formatTime, unwrap } from '../../api';
import { Empty } from '../../components/States';
import { ActionButton, Badge, OnceSecret, QueryView, shortTime, Table } from '../../components/ui';

type MessageState = 'pending' | 'queued' | 'delivering' | 'delivered' | 'failed' | 'skipped';

/**
 * One webhook endpoint: its state and controls (pause, resume, disable, rotate the
 * secret), its dead letters with replay, the delivery log and each attempt. Used by the
 * merchant dashboard (with the merchant's key) and the operations console (staff see
 * every endpoint).
 */
export function EndpointDetail({
  client,
  endpointId,
  scope,
}: {
  client: VaultwireClient;
  endpointId: string;
  scope: unknown[];
}) {
  const queryClient = useQueryClient();
  const path = { params: { path: { id: endpointId } } };
  const key = (...parts: unknown[]) => [...scope, 'webhook_endpoints', endpointId, ...parts];
  const refresh = () => queryClient.invalidateQueries({ queryKey: key() });
  const [secret, setSecret] = useState<{ secret: string; previous_secret_expires_at: string }>();
  const endpoint = useQuery({
    queryKey: key(),
    queryFn: async () => unwrap(await client.GET('/v1/webhook_endpoints/{id}', path)),
  });
  const dead = useQuery({
    queryKey: key('dead_letters'),
    queryFn: async () =>
      unwrap(
        await client.GET('/v1/webhook_endpoints/{id}/dead_letters', {
          params: { path: { id: endpointId }, query: { limit: 50 } },
        }),
      ).data,
  });
  return (
    <QueryView query={endpoint}>
      {(e) => (
        <>
          <section className="card" aria-labelledby="endpoint-title">
            <h2 id="endpoint-title" className="mono">
              {e.url} <Badge value={e.status} />
            </h2>
            <dl className="facts">
              <dt>Events</dt>
              <dd>{e.event_types.join(', ')}</dd>
              <dt>Last success</dt>
              <dd>{shortTime(e.last_success_at)}</dd>
              <dt>Failing since</dt>
              <dd>{shortTime(e.failing_since)}</dd>
              {e.disabled_reason && (
                <>
                  <dt>Disabled because</dt>
                  <dd>{e.disabled_reason}</dd>
                </>
              )}
            </dl>
            <div className="actions">
              {e.status === 'active' && (
                <ActionButton
                  label="Pause"
                  run={async () =>
                    unwrap(await client.POST('/v1/webhook_endpoints/{id}/pause', path))
                  }
                  done={refresh}
                />
              )}
              {e.status !== 'active' && (
                <ActionButton
                  label="Resume"
                  run={async () =>
                    unwrap(await client.POST('/v1/webhook_endpoints/{id}/resume', path))
                  }
                  done={refresh}
                />
              )}
              {e.status !== 'disabled' && (
                <ActionButton
                  label="Disable"
                  variant="danger"
                  confirm="Disable this endpoint? Events are recorded but not sent until you resume it."
                  run={async () =>
                    unwrap(await client.POST('/v1/webhook_endpoints/{id}/disable', path))
                  }
                  done={refresh}
                />
              )}
              <ActionButton
                label="Rotate secret"
                confirm="Make a new signing secret? The old one keeps working for 24 hours."
                run={async () =>
                  unwrap(
                    await client.POST('/v1/webhook_endpoints/{id}/rotate_secret', {
                      ...path,
                      body: {},
                    }),
                  )
                }
                done={setSecret}
              />
            </div>
            {secret && (
              <>
                <OnceSecret label="New signing secret" value={secret.secret} />
                <p className="muted">
                  The previous secret works until {formatTime(secret.previous_secret_expires_at)}.
                </p>
              </>
            )}
          </section>
          <section aria-labelledby="dead-title">
            <h2 id="dead-title">Failed deliveries (dead letters)</h2>
            <QueryView
              query={dead}
              isEmpty={(d) => d.length === 0}
              empty={<Empty title="No failed deliveries" />}
            >
              {(list) => (
                <>
                  <div className="actions">
                    <ActionButton
                      label={`Replay all ${list.length} failed`}
                      variant="primary"
                      run={async () =>
                        unwrap(
                          await client.POST('/v1/webhook_endpoints/{id}/replay', {
                            ...path,
                            body: { only_failed: true },
                          }),
                        )
                      }
                      done={refresh}
                    />
                  </div>
                  <Table
                    caption="Dead letters"
                    head={['Event', 'Attempts', 'Last answer', 'Created', '']}
                  >
                    {list.map((m) => (
                      <tr key={m.id}>
                        <td>
                          {m.event_type}
                          <br />
                          <span className="mono muted">{m.id}</span>
                        </td>
                        <td className="num">{m.attempts}</td>
                        <td>{m.last_status ?? m.last_error ?? '—'}</td>
                        <td>{shortTime(m.created_at)}</td>
                        <td>
                          <ActionButton
                            label="Replay"
                            run={async () =>
                              unwrap(
                                await client.POST('/v1/webhook_endpoints/{id}/replay', {
                                  ...path,
                                  body: { message_id: m.id },
                                }),
                              )
                            }
                            done={refresh}
                          />
                        </td>
                      </tr>
                    ))}
                  </Table>
                </>
              )}
            </QueryView>
          </section>
          <DeliveryLog client={client} endpointId={endpointId} queryKey={key('messages')} />
          <Attempts client={client} endpointId={endpointId} queryKey={key('attempts')} />
        </>
      )}
    </QueryView>
  );
}

function DeliveryLog({
  client,
  endpointId,
  queryKey,
}: {
  client: VaultwireClient;
  endpointId: string;
  queryKey: unknown[];
}) {
  const [state, setState] = useState<MessageState | ''>('');
  const id = useId();
  const messages = useQuery({
    queryKey: [...queryKey, state],
    queryFn: async () =>
      unwrap(
        await client.GET('/v1/webhook_endpoints/{id}/messages', {
          params: { path: { id: endpointId }, query: { limit: 50, ...(state ? { state } : {}) } },
        }),
      ).data,
  });
  return (
    <section aria-labelledby="log-title">
      <h2 id="log-title">Delivery log</h2>
      <div className="field">
        <label htmlFor={id}>State</label>
        <select
          id={id}
          value={state}
          onChange={(e) => {
            setState(e.target.value as MessageState | '');
          }}
        >
          <option value="">Any</option>
          {(['pending', 'queued', 'delivering', 'delivered', 'failed', 'skipped'] as const).map(
            (s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ),
          )}
        </select>
      </div>
      <QueryView
        query={messages}
        isEmpty={(d) => d.length === 0}
        empty={<Empty title="No messages" />}
      >
        {(list) => (
          <Table caption="Messages" head={['Event', 'State', 'Attempts', 'Last answer', 'Created']}>
            {list.map((m) => (
              <tr key={m.id}>
                <td>{m.event_type}</td>
                <td>
                  <Badge value={m.state} />
                </td>
                <td className="num">{m.attempts}</td>
                <td>{m.last_status ?? m.last_error ?? '—'}</td>
                <td>{shortTime(m.created_at)}</td>
              </tr>
            ))}
          </Table>
        )}
      </QueryView>
    </section>
  );
}

function Attempts({
  client,
  endpointId,
  queryKey,
}: {
  client: VaultwireClient;
  endpointId: string;
  queryKey: unknown[];
}) {
  const attempts = useQuery({
    queryKey,
    queryFn: async () =>
      unwrap(
        await client.GET('/v1/webhook_endpoints/{id}/attempts', {
          params: { path: { id: endpointId }, query: { limit: 20 } },
        }),
      ).data,
  });
  return (
    <section aria-labelledby="attempts-title">
      <h2 id="attempts-title">Recent attempts</h2>
      <QueryView
        query={attempts}
        isEmpty={(d) => d.length === 0}
        empty={<Empty title="No attempts yet" />}
      >
        {(list) => (
          <Table
            caption="Attempts"
            head={['Message', 'Try', 'Outcome', 'Status', 'Latency', 'When']}
          >
            {list.map((a) => (
              <tr key={a.id}>
                <td className="mono">{a.message_id}</td>
                <td className="num">{a.attempt}</td>
                <td>{a.outcome}</td>
                <td>{a.status_code ?? a.error ?? '—'}</td>
                <td className="num">{a.latency_ms === null ? '—' : `${a.latency_ms} ms`}</td>
                <td>{shortTime(a.created_at)}</td>
              </tr>
            ))}
          </Table>
        )}
      </QueryView>
    </section>
  );
}
