import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api';
import { Empty } from '../../components/States';
import { Badge, QueryView, Table } from '../../components/ui';

/** Block producers: which region signs now, this process's region and state, the mark. */
export function ProducerPage() {
  const chains = useQuery({
    queryKey: ['ops', 'producer'],
    queryFn: async () => unwrap(await api.GET('/v1/producer/chains')).data,
    refetchInterval: 5_000,
  });
  return (
    <QueryView
      query={chains}
      isEmpty={(d) => d.length === 0}
      empty={
        <Empty title="No producer configured">
          The producer role signs blocks for chains set in its configuration.
        </Empty>
      }
    >
      {(list) => (
        <Table
          caption="Producer chains"
          head={['Chain', 'Active region', 'This region', 'State here', 'Safe for', 'Mark', 'Key']}
        >
          {list.map((c) => (
            <tr key={c.chain}>
              <td>{c.chain}</td>
              <td>
                <strong>{c.active_region ?? 'none'}</strong>
              </td>
              <td>{c.region ?? '—'}</td>
              <td>{c.local_state ? <Badge value={c.local_state} /> : '—'}</td>
              <td className="num">
                {c.safe_for_ms === null ? '—' : `${Math.round(c.safe_for_ms / 1000)} s`}
              </td>
              <td className="mono">
                {c.mark
                  ? `${c.mark.height}/${c.mark.round}/${c.mark.step} by ${c.mark.region}`
                  : '—'}
              </td>
              <td className="mono">
                {c.algorithm} {c.public_key ? `${c.public_key.slice(0, 12)}…` : 'no key'}
              </td>
            </tr>
          ))}
        </Table>
      )}
    </QueryView>
  );
}
