import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api';
import { Empty } from '../../components/States';
import { Badge, QueryView, shortTime, Table } from '../../components/ui';

/** Every followed chain: state, height, lag, why it halted, its RPC endpoints, its sender. */
export function ChainsPage() {
  const chains = useQuery({
    queryKey: ['ops', 'chains'],
    queryFn: async () => unwrap(await api.GET('/v1/chains')).data,
    refetchInterval: 10_000,
  });
  return (
    <QueryView
      query={chains}
      isEmpty={(d) => d.length === 0}
      empty={
        <Empty title="No chain followed">
          Chains are added in the server’s configuration (VW_CHAINS).
        </Empty>
      }
    >
      {(list) => (
        <>
          <Table
            caption="Chain followers"
            head={['Chain', 'State', 'Head', 'Confirmed', 'Lag', 'Follower', 'Updated']}
          >
            {list.map((c) => (
              <tr key={c.chain}>
                <td>
                  {c.chain} <span className="muted">({c.chain_id})</span>
                </td>
                <td>
                  <Badge value={c.state} />
                  {c.halt_reason ? <div className="field-error">{c.halt_reason}</div> : null}
                </td>
                <td className="num">{c.head ?? '—'}</td>
                <td className="num">{c.confirmed ?? '—'}</td>
                <td className="num">{c.lag ?? '—'}</td>
                <td className="mono">{c.follower_holder ?? '—'}</td>
                <td>{shortTime(c.updated_at)}</td>
              </tr>
            ))}
          </Table>
          {list.map((c) =>
            c.endpoints?.length || c.sender ? (
              <section key={c.chain} className="card" aria-label={`${c.chain} details`}>
                <h2>{c.chain}</h2>
                {c.endpoints && c.endpoints.length > 0 && (
                  <Table
                    caption={`${c.chain} RPC endpoints`}
                    head={['RPC', 'Healthy', 'Failures', 'Latency', 'Last error']}
                  >
                    {c.endpoints.map((e) => (
                      <tr key={e.url}>
                        <td className="mono">{e.url}</td>
                        <td>
                          <Badge value={e.healthy ? 'ok' : 'failed'} />
                        </td>
                        <td className="num">{e.consecutive_failures}</td>
                        <td className="num">
                          {e.latency_ms === null ? '—' : `${e.latency_ms} ms`}
                        </td>
                        <td>{e.last_error ?? '—'}</td>
                      </tr>
                    ))}
                  </Table>
                )}
                {c.sender && (
                  <p>
                    Hot wallet <span className="mono">{c.hot_wallet ?? '—'}</span>: next nonce{' '}
                    {c.sender.next_nonce}, chain nonce {c.sender.chain_nonce ?? '—'}
                    {c.sender.stuck ? (
                      <span className="field-error">
                        {' '}
                        · stuck since {shortTime(c.sender.stuck)}
                      </span>
                    ) : (
                      ''
                    )}
                  </p>
                )}
                {c.reorged_after_credit && c.reorged_after_credit.count > 0 && (
                  <p className="banner">
                    {c.reorged_after_credit.count} deposits reorged after credit (
                    {c.reorged_after_credit.on_hold} on hold)
                  </p>
                )}
              </section>
            ) : null,
          )}
        </>
      )}
    </QueryView>
  );
}
