import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { api, unwrap, type Schema } from '../../api';
import { Empty } from '../../components/States';
import { Field, FormError, Submit, useApiForm } from '../../components/form';
import { ActionButton, Badge, QueryView, shortTime, Table } from '../../components/ui';

/** The node fleet (height, lag, peers, state, bans) and its alerts (acknowledge, silence). */
export function NodesPage() {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['ops', 'nodeops'] });
  const [banning, setBanning] = useState<Schema<'NodeopsNode'>>();
  const nodes = useQuery({
    queryKey: ['ops', 'nodeops', 'nodes'],
    queryFn: async () => unwrap(await api.GET('/v1/nodeops/nodes')).data,
    refetchInterval: 10_000,
  });
  return (
    <>
      <h2>Nodes</h2>
      <QueryView
        query={nodes}
        isEmpty={(d) => d.length === 0}
        empty={
          <Empty title="No nodes watched">
            Add nodes in the configuration or with POST /v1/nodeops/nodes.
          </Empty>
        }
      >
        {(list) => (
          <Table
            caption="Nodes"
            head={['Node', 'Chain / region', 'State', 'Height', 'Lag', 'Peers', 'Checked', '']}
          >
            {list.map((n) => (
              <tr key={n.id}>
                <td>
                  {n.name} <span className="muted">({n.role})</span>
                </td>
                <td>
                  {n.chain} / {n.region}
                </td>
                <td>
                  <Badge value={n.banned ? 'banned' : n.state} />
                  {n.banned && n.ban_reason ? <div className="muted">{n.ban_reason}</div> : null}
                </td>
                <td className="num">{n.height ?? '—'}</td>
                <td className="num">{n.lag ?? '—'}</td>
                <td className="num">{n.peers ?? '—'}</td>
                <td>{shortTime(n.checked_at)}</td>
                <td>
                  {n.banned ? (
                    <ActionButton
                      label="Unban"
                      run={async () =>
                        unwrap(
                          await api.POST('/v1/nodeops/nodes/{id}/unban', {
                            params: { path: { id: n.id } },
                          }),
                        )
                      }
                      done={refresh}
                    />
                  ) : (
                    <button
                      type="button"
                      className="button small danger"
                      onClick={() => {
                        setBanning(n);
                      }}
                    >
                      Ban…
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </Table>
        )}
      </QueryView>
      {banning && (
        <BanForm
          node={banning}
          done={() => {
            setBanning(undefined);
            void refresh();
          }}
        />
      )}
      <Alerts />
    </>
  );
}

function BanForm({ node, done }: { node: Schema<'NodeopsNode'>; done: () => void }) {
  const form = useApiForm('banNodeopsNode', { reason: '' }, async (v) => {
    unwrap(
      await api.POST('/v1/nodeops/nodes/{id}/ban', {
        params: { path: { id: node.id } },
        body: { reason: v.reason },
      }),
    );
    done();
  });
  return (
    <form onSubmit={form.onSubmit} noValidate className="card" aria-labelledby="ban-title">
      <h2 id="ban-title">Ban {node.name}</h2>
      <p className="muted">A banned node is taken out of rotation and its alerts stop paging.</p>
      <FormError message={form.formError} />
      <Field form={form} name="reason" label="Reason" autoComplete="off" />
      <Submit busy={form.submitting}>Ban node</Submit>
    </form>
  );
}

const SILENCE = [
  [3600, '1 hour'],
  [4 * 3600, '4 hours'],
  [24 * 3600, '1 day'],
] as const;

function Alerts() {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['ops', 'nodeops'] });
  const [status, setStatus] = useState<'open' | 'resolved'>('open');
  const id = useId();
  const alerts = useQuery({
    queryKey: ['ops', 'nodeops', 'alerts', status],
    queryFn: async () =>
      unwrap(await api.GET('/v1/nodeops/alerts', { params: { query: { status, limit: 50 } } }))
        .data,
    refetchInterval: 10_000,
  });
  return (
    <section aria-labelledby="alerts-title">
      <h2 id="alerts-title">Alerts</h2>
      <div className="field">
        <label htmlFor={id}>Show</label>
        <select
          id={id}
          value={status}
          onChange={(e) => {
            setStatus(e.target.value === 'resolved' ? 'resolved' : 'open');
          }}
        >
          <option value="open">Open (firing or acknowledged)</option>
          <option value="resolved">Resolved</option>
        </select>
      </div>
      <QueryView
        query={alerts}
        isEmpty={(d) => d.length === 0}
        empty={<Empty title={status === 'open' ? 'No open alerts' : 'No resolved alerts'} />}
      >
        {(list) => (
          <Table caption="Alerts" head={['Alert', 'Node', 'Severity', 'Status', 'Opened', '']}>
            {list.map((a) => (
              <tr key={a.id}>
                <td>{a.summary}</td>
                <td>
                  {a.node}{' '}
                  <span className="muted">
                    ({a.chain} / {a.region})
                  </span>
                </td>
                <td>
                  <Badge value={a.severity} />
                </td>
                <td>
                  <Badge value={a.status} />
                  {a.silenced_until && Date.parse(a.silenced_until) > Date.now() ? (
                    <div className="muted">silenced until {shortTime(a.silenced_until)}</div>
                  ) : null}
                </td>
                <td>{shortTime(a.opened_at)}</td>
                <td>
                  {a.status === 'firing' && (
                    <ActionButton
                      label="Acknowledge"
                      run={async () =>
                        unwrap(
                          await api.POST('/v1/nodeops/alerts/{id}/acknowledge', {
                            params: { path: { id: a.id } },
                          }),
                        )
                      }
                      done={refresh}
                    />
                  )}
                  {a.status !== 'resolved' &&
                    SILENCE.map(([seconds, label]) => (
                      <ActionButton
                        key={seconds}
                        label={`Silence ${label}`}
                        run={async () =>
                          unwrap(
                            await api.POST('/v1/nodeops/alerts/{id}/silence', {
                              params: { path: { id: a.id } },
                              body: { seconds },
                            }),
                          )
                        }
                        done={refresh}
                      />
                    ))}
                </td>
              </tr>
            ))}
          </Table>
        )}
      </QueryView>
    </section>
  );
}
