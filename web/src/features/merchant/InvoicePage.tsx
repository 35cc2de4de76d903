import { useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { formatAmount, formatTime, unwrap, type Schema } from '../../api';
import { Field, FormError, Submit, useApiForm } from '../../components/form';
import { Badge, QueryView, shortTime, Table } from '../../components/ui';
import { useMerchantClient } from './context';

const route = getRouteApi('/_app/merchant/$merchantId/invoices/$invoiceId');

const PAYABLE = ['open', 'processing', 'underpaid'];

/** One invoice: amounts, the ways to pay it, its payments; simulate a payment; refund. */
export function InvoicePage() {
  const { invoiceId } = route.useParams();
  const { client, key, merchant } = useMerchantClient();
  const invoice = useQuery({
    queryKey: key('invoices', 'one', invoiceId),
    queryFn: async () =>
      unwrap(
        await client.GET('/v1/invoices/{invoice}', { params: { path: { invoice: invoiceId } } }),
      ),
    refetchInterval: (q) => (q.state.data && PAYABLE.includes(q.state.data.status) ? 5000 : false),
  });
  return (
    <>
      <p>
        <Link to="/merchant/$merchantId" params={{ merchantId: merchant.id }}>
          ← All invoices
        </Link>
      </p>
      <QueryView query={invoice}>
        {(i) => (
          <>
            <section className="card" aria-labelledby="invoice-title">
              <h2 id="invoice-title">
                {i.description ?? 'Invoice'} <Badge value={i.status} />
              </h2>
              <dl className="facts">
                <dt>Amount</dt>
                <dd>{formatAmount(i.amount, i.currency)}</dd>
                <dt>Paid</dt>
                <dd>{formatAmount(i.amount_paid, i.currency)}</dd>
                <dt>Seen, not confirmed</dt>
                <dd>{formatAmount(i.amount_pending, i.currency)}</dd>
                <dt>Order id</dt>
                <dd>{i.order_id ?? '—'}</dd>
                <dt>Customer</dt>
                <dd>{i.customer_email ?? '—'}</dd>
                <dt>Expires</dt>
                <dd>{formatTime(i.expires_at)}</dd>
                <dt>Id</dt>
                <dd className="mono">{i.id}</dd>
              </dl>
            </section>
            <h2>Ways to pay</h2>
            <Table caption="Payment options" head={['Asset', 'Amount due', 'Rate', 'Pay to']}>
              {i.payment_options.map((o) => (
                <tr key={o.asset}>
                  <td>{o.asset}</td>
                  <td className="num">{formatAmount(o.amount_due, o.asset)}</td>
                  <td className="num">
                    {o.rate} {i.currency}
                  </td>
                  <td className="mono">
                    {o.address ? `${o.address} (${o.chain ?? ''})` : 'Vaultwire wallet'}
                  </td>
                </tr>
              ))}
            </Table>
            {!i.livemode && PAYABLE.includes(i.status) && <SimulatePayment invoice={i} />}
            <h2>Payments</h2>
            {i.payments.length === 0 ? (
              <p className="muted">No payment yet.</p>
            ) : (
              <Table
                caption="Payments"
                head={['Amount', 'Method', 'Status', 'Fee', 'Refunded', 'When']}
              >
                {i.payments.map((p) => (
                  <tr key={p.id}>
                    <td className="num">{formatAmount(p.amount, p.asset)}</td>
                    <td>{p.method}</td>
                    <td>
                      <Badge value={p.status} />
                      {p.late ? ' late' : ''}
                    </td>
                    <td className="num">{formatAmount(p.fee, p.asset)}</td>
                    <td className="num">{formatAmount(p.refunded, p.asset)}</td>
                    <td>{shortTime(p.confirmed_at ?? p.created_at)}</td>
                  </tr>
                ))}
              </Table>
            )}
            {i.payments.some((p) => p.status === 'confirmed') && <Refund invoice={i} />}
          </>
        )}
      </QueryView>
    </>
  );
}

function SimulatePayment({ invoice }: { invoice: Schema<'Invoice'> }) {
  const { client, key } = useMerchantClient();
  const queryClient = useQueryClient();
  const form = useApiForm(
    'testInvoicePayments',
    {
      // The invoice's own currency first, when it is a way to pay.
      asset:
        invoice.payment_options.find((o) => o.asset === invoice.currency)?.asset ??
        invoice.payment_options[0]?.asset ??
        invoice.currency,
      amount: '',
    },
    async (v) => {
      unwrap(
        await client.POST('/v1/invoices/{invoice}/test_payments', {
          params: { path: { invoice: invoice.id } },
          body: { asset: v.asset, ...(v.amount.trim() ? { amount: v.amount.trim() } : {}) },
        }),
      );
      await queryClient.invalidateQueries({ queryKey: key() });
    },
  );
  return (
    <form onSubmit={form.onSubmit} noValidate className="card" aria-labelledby="simulate-title">
      <h2 id="simulate-title">Simulate a payment</h2>
      <p className="muted">
        Test mode: a payment that moves no real money, to try your integration.
      </p>
      <FormError message={form.formError} />
      <Field form={form} name="asset" label="Paid in">
        {invoice.payment_options.map((o) => (
          <option key={o.asset} value={o.asset}>
            {o.asset}
          </option>
        ))}
      </Field>
      <Field
        form={form}
        name="amount"
        label="Amount (optional)"
        inputMode="decimal"
        autoComplete="off"
        hint="Leave empty to pay what is due"
      />
      <Submit busy={form.submitting}>Simulate payment</Submit>
    </form>
  );
}

function Refund({ invoice }: { invoice: Schema<'Invoice'> }) {
  const { client, key } = useMerchantClient();
  const queryClient = useQueryClient();
  const paidAssets = [
    ...new Set(invoice.payments.filter((p) => p.status === 'confirmed').map((p) => p.asset)),
  ];
  const form = useApiForm(
    'refundsInvoice',
    { asset: paidAssets[0] ?? '', amount: '', reason: '' },
    async (v) => {
      unwrap(
        await client.POST('/v1/invoices/{invoice}/refunds', {
          params: { path: { invoice: invoice.id } },
          body: {
            asset: v.asset,
            amount: v.amount.trim(),
            ...(v.reason ? { reason: v.reason } : {}),
          },
        }),
      );
      await queryClient.invalidateQueries({ queryKey: key() });
    },
  );
  return (
    <form onSubmit={form.onSubmit} noValidate className="card" aria-labelledby="refund-title">
      <h2 id="refund-title">Refund</h2>
      <FormError message={form.formError} />
      <Field form={form} name="asset" label="Asset">
        {paidAssets.map((a) => (
          <option key={a} value={a}>
            {a}
          </option>
        ))}
      </Field>
      <Field
        form={form}
        name="amount"
        label="Amount to refund"
        inputMode="decimal"
        autoComplete="off"
      />
      <Field form={form} name="reason" label="Reason (optional)" autoComplete="off" />
      <Submit busy={form.submitting}>Refund</Submit>
    </form>
  );
}
