import { useQuery, useQueryClient } from '@tanstack/react-query';
import { formatAmount, unwrap } from '../../api';
import { Empty } from '../../components/States';
import { Field, FormError, Submit, useApiForm } from '../../components/form';
import { Badge, QueryView, shortTime, Table } from '../../components/ui';
import { useMerchantClient } from './context';

/** Pay the balance out on chain, and follow each payout's state. */
export function PayoutsPage() {
  const { client, key } = useMerchantClient();
  const queryClient = useQueryClient();
  const payouts = useQuery({
    queryKey: key('payouts'),
    queryFn: async () =>
      unwrap(await client.GET('/v1/payouts', { params: { query: { limit: 50 } } })).data,
  });
  const form = useApiForm('createPayout', { asset: '', amount: '', to_address: '' }, async (v) => {
    unwrap(
      await client.POST('/v1/payouts', {
        body: { asset: v.asset.trim(), amount: v.amount.trim(), to_address: v.to_address.trim() },
      }),
    );
    await queryClient.invalidateQueries({ queryKey: key() });
  });
  return (
    <>
      <form onSubmit={form.onSubmit} noValidate className="card" aria-labelledby="payout-title">
        <h2 id="payout-title">New payout</h2>
        <FormError message={form.formError} />
        <Field
          form={form}
          name="asset"
          label="Asset"
          hint="For example ETH or USDC"
          autoComplete="off"
        />
        <Field form={form} name="amount" label="Amount" inputMode="decimal" autoComplete="off" />
        <Field form={form} name="to_address" label="To address" autoComplete="off" />
        <Submit busy={form.submitting}>Pay out</Submit>
      </form>
      <h2>Payouts</h2>
      <QueryView
        query={payouts}
        isEmpty={(d) => d.length === 0}
        empty={<Empty title="No payouts yet" />}
      >
        {(list) => (
          <Table caption="Payouts" head={['Amount', 'To', 'Status', 'Transaction', 'When']}>
            {list.map((p) => (
              <tr key={p.id}>
                <td className="num">{formatAmount(p.amount, p.asset)}</td>
                <td className="mono">{p.to_address}</td>
                <td>
                  <Badge value={p.status} />
                  {p.failure_reason ? ` ${p.failure_reason}` : ''}
                </td>
                <td className="mono">{p.tx_hash ?? '—'}</td>
                <td>{shortTime(p.created_at)}</td>
              </tr>
            ))}
          </Table>
        )}
      </QueryView>
    </>
  );
}
