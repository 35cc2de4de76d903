import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { formatAmount, unwrap } from '../../api';
import { Empty } from '../../components/States';
import { QueryView, shortTime, Table } from '../../components/ui';
import { useMerchantClient } from './context';

/** Every refund of this merchant and mode, newest first. */
export function RefundsPage() {
  const { client, key, merchant } = useMerchantClient();
  const refunds = useQuery({
    queryKey: key('refunds'),
    queryFn: async () =>
      unwrap(await client.GET('/v1/refunds', { params: { query: { limit: 50 } } })).data,
  });
  return (
    <QueryView
      query={refunds}
      isEmpty={(d) => d.length === 0}
      empty={<Empty title="No refunds">Refund a payment from its invoice.</Empty>}
    >
      {(list) => (
        <Table caption="Refunds" head={['Amount', 'Invoice', 'Reason', 'When']}>
          {list.map((r) => (
            <tr key={r.id}>
              <td className="num">{formatAmount(r.amount, r.asset)}</td>
              <td>
                <Link
                  to="/merchant/$merchantId/invoices/$invoiceId"
                  params={{ merchantId: merchant.id, invoiceId: r.invoice }}
                >
                  {r.invoice}
                </Link>
              </td>
              <td>{r.reason ?? '—'}</td>
              <td>{shortTime(r.created_at)}</td>
            </tr>
          ))}
        </Table>
      )}
    </QueryView>
  );
}
