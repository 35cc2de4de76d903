import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { useId, useState } from 'react';
import { formatAmount, unwrap, type Schema } from '../../api';
import { Empty } from '../../components/States';
import { Field, FormError, Submit, useApiForm } from '../../components/form';
import { Badge, QueryView, shortTime, Table } from '../../components/ui';
import { useMerchantClient } from './context';

const STATUSES = [
  'open',
  'processing',
  'paid',
  'overpaid',
  'paid_late',
  'underpaid',
  'expired',
] as const;
type Status = (typeof STATUSES)[number];

/** The merchant's balance, a new invoice, and the invoices with their status and order id. */
export function InvoicesPage() {
  const { client, key } = useMerchantClient();
  const [status, setStatus] = useState<Status | ''>('');
  const [orderId, setOrderId] = useState('');
  const statusId = useId();
  const orderIdId = useId();
  const balance = useQuery({
    queryKey: key('balance'),
    queryFn: async () => unwrap(await client.GET('/v1/merchant_balance')),
  });
  const invoices = useQuery({
    queryKey: key('invoices', status, orderId),
    placeholderData: keepPreviousData,
    queryFn: async () =>
      unwrap(
        await client.GET('/v1/invoices', {
          params: {
            query: {
              limit: 50,
              ...(status ? { status } : {}),
              ...(orderId.trim() ? { order_id: orderId.trim() } : {}),
            },
          },
        }),
      ).data,
  });
  return (
    <>
      <div className="grid-2">
        <section className="card" aria-labelledby="balance-title">
          <h2 id="balance-title">Balance</h2>
          <QueryView
            query={balance}
            isEmpty={(b) => b.balances.length === 0}
            empty={<p className="muted">Nothing received yet.</p>}
          >
            {(b) => (
              <dl className="facts">
                {b.balances.map((x) => (
                  <div key={x.asset} style={{ display: 'contents' }}>
                    <dt>{x.asset}</dt>
                    <dd>
                      {formatAmount(x.available, x.asset)}
                      {/^0(\.0+)?$/.test(x.pending)
                        ? ''
                        : ` (+${formatAmount(x.pending, x.asset)} pending)`}
                    </dd>
                  </div>
                ))}
              </dl>
            )}
          </QueryView>
        </section>
        <NewInvoice />
      </div>
      <h2>Invoices</h2>
      <div className="filters">
        <div className="field">
          <label htmlFor={statusId}>Status</label>
          <select
            id={statusId}
            value={status}
            onChange={(e) => {
              setStatus(e.target.value as Status | '');
            }}
          >
            <option value="">Any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s.replace('_', ' ')}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={orderIdId}>Order id</label>
          <input
            id={orderIdId}
            value={orderId}
            autoComplete="off"
            onChange={(e) => {
              setOrderId(e.target.value);
            }}
          />
        </div>
      </div>
      <QueryView
        query={invoices}
        isEmpty={(d) => d.length === 0}
        empty={<Empty title={status || orderId ? 'No invoice matches' : 'No invoices yet'} />}
      >
        {(list) => <InvoiceTable invoices={list} />}
      </QueryView>
    </>
  );
}

function InvoiceTable({ invoices }: { invoices: Schema<'Invoice'>[] }) {
  const { merchant } = useMerchantClient();
  return (
    <Table caption="Invoices" head={['Invoice', 'Status', 'Amount', 'Paid', 'Order', 'Created']}>
      {invoices.map((i) => (
        <tr key={i.id}>
          <td>
            <Link
              to="/merchant/$merchantId/invoices/$invoiceId"
              params={{ merchantId: merchant.id, invoiceId: i.id }}
            >
              {i.description ?? i.id}
            </Link>
          </td>
          <td>
            <Badge value={i.status} />
          </td>
          <td className="num">{formatAmount(i.amount, i.currency)}</td>
          <td className="num">{formatAmount(i.amount_paid, i.currency)}</td>
          <td>{i.order_id ?? '—'}</td>
          <td>{shortTime(i.created_at)}</td>
        </tr>
      ))}
    </Table>
  );
}

function NewInvoice() {
  const { client, key, merchant } = useMerchantClient();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const form = useApiForm(
    'createInvoice',
    { currency: 'USD', amount: '', description: '', order_id: '', customer_email: '' },
    async (v) => {
      const invoice = unwrap(
        await client.POST('/v1/invoices', {
          body: {
            currency: v.currency.trim().toUpperCase(),
            amount: v.amount.trim(),
            ...(v.description ? { description: v.description } : {}),
            ...(v.order_id ? { order_id: v.order_id.trim() } : {}),
            ...(v.customer_email ? { customer_email: v.customer_email.trim() } : {}),
          },
        }),
      );
      await queryClient.invalidateQueries({ queryKey: key('invoices') });
      await navigate({
        to: '/merchant/$merchantId/invoices/$invoiceId',
        params: { merchantId: merchant.id, invoiceId: invoice.id },
      });
    },
  );
  return (
    <form onSubmit={form.onSubmit} noValidate className="card" aria-labelledby="new-invoice">
      <h2 id="new-invoice">New invoice</h2>
      <FormError message={form.formError} />
      <div className="filters">
        <Field form={form} name="amount" label="Amount" inputMode="decimal" autoComplete="off" />
        <Field form={form} name="currency" label="Currency" autoComplete="off" />
      </div>
      <Field form={form} name="description" label="Description (optional)" autoComplete="off" />
      <Field form={form} name="order_id" label="Order id (optional)" autoComplete="off" />
      <Field
        form={form}
        name="customer_email"
        label="Customer email (optional)"
        type="email"
        autoComplete="off"
      />
      <Submit busy={form.submitting}>Create invoice</Submit>
    </form>
  );
}
