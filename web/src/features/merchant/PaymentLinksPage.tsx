import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { formatAmount, unwrap, type Schema } from '../../api';
import { Empty } from '../../components/States';
import { Field, FormError, Submit, useApiForm } from '../../components/form';
import { ActionButton, Badge, QueryView, shortTime, Table } from '../../components/ui';
import { useMerchantClient } from './context';

/**
 * Payment links: a reusable page that makes an invoice for each visitor, for a fixed
 * amount or one the visitor keys in, optionally a limited number of times. Create one,
 * copy its address, see how often it was used, turn it off and on.
 */
export function PaymentLinksPage() {
  const { client, key } = useMerchantClient();
  const links = useQuery({
    queryKey: key('payment_links'),
    queryFn: async () =>
      unwrap(await client.GET('/v1/payment_links', { params: { query: { limit: 100 } } })).data,
  });
  const [created, setCreated] = useState<Schema<'PaymentLink'>>();
  return (
    <>
      <NewLink onCreated={setCreated} />
      {created && (
        <div className="card success" role="status">
          <p className="row-title">Payment link ready</p>
          <p>
            Share this address: <a href={absolute(created.url)}>{absolute(created.url)}</a>
          </p>
        </div>
      )}
      <h2>Payment links</h2>
      <QueryView
        query={links}
        isEmpty={(d) => d.length === 0}
        empty={
          <Empty title="No payment links yet">
            <p>Make one above and share it: each visitor gets an invoice of their own.</p>
          </Empty>
        }
      >
        {(list) => <LinkTable links={list} />}
      </QueryView>
    </>
  );
}

/** The link's address on this server, as a visitor opens it. */
function absolute(path: string): string {
  return new URL(path, window.location.origin).toString();
}

function LinkTable({ links }: { links: Schema<'PaymentLink'>[] }) {
  const { client, key } = useMerchantClient();
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: key('payment_links') });
  return (
    <Table caption="Payment links" head={['Link', 'Amount', 'Used', 'State', 'Created', '']}>
      {links.map((l) => (
        <tr key={l.id}>
          <td>
            {l.description ?? l.id}
            <br />
            <a className="mono" href={absolute(l.url)}>
              {l.url}
            </a>
          </td>
          <td className="num">
            {l.amount === null ? `Any amount (${l.currency})` : formatAmount(l.amount, l.currency)}
          </td>
          <td className="num">{l.max_uses === null ? l.uses : `${l.uses} of ${l.max_uses}`}</td>
          <td>
            <Badge value={l.active ? 'active' : 'off'} />
          </td>
          <td>{shortTime(l.created_at)}</td>
          <td>
            <ActionButton
              label={l.active ? 'Turn off' : 'Turn on'}
              {...(l.active
                ? { confirm: 'Turn this link off? Visitors can no longer pay through it.' }
                : {})}
              run={async () =>
                unwrap(
                  await client.PATCH('/v1/payment_links/{link}', {
                    params: { path: { link: l.id } },
                    body: { active: !l.active },
                  }),
                )
              }
              done={refresh}
            />
          </td>
        </tr>
      ))}
    </Table>
  );
}

function NewLink({ onCreated }: { onCreated: (link: Schema<'PaymentLink'>) => void }) {
  const { client, key } = useMerchantClient();
  const queryClient = useQueryClient();
  const form = useApiForm(
    'createPaymentLink',
    { currency: 'USD', amount: '', description: '', max_uses: '' },
    async (v) => {
      const maxUses = v.max_uses.trim();
      const link = unwrap(
        await client.POST('/v1/payment_links', {
          body: {
            currency: v.currency.trim().toUpperCase(),
            ...(v.amount.trim() ? { amount: v.amount.trim() } : {}),
            ...(v.description ? { description: v.description } : {}),
            // Not a whole number (2.5, or NaN sent as null): the API refuses it, on this field.
            ...(maxUses ? { max_uses: Number(maxUses) } : {}),
          },
        }),
      );
      await queryClient.invalidateQueries({ queryKey: key('payment_links') });
      onCreated(link);
    },
  );
  return (
    <form onSubmit={form.onSubmit} noValidate className="card" aria-labelledby="new-link">
      <h2 id="new-link">New payment link</h2>
      <FormError message={form.formError} />
      <div className="filters">
        <Field
          form={form}
          name="amount"
          label="Amount (optional)"
          hint="Leave it empty to let the visitor key in the amount"
          inputMode="decimal"
          autoComplete="off"
        />
        <Field form={form} name="currency" label="Currency" autoComplete="off" />
      </div>
      <Field form={form} name="description" label="Description (optional)" autoComplete="off" />
      <Field
        form={form}
        name="max_uses"
        label="Most invoices (optional)"
        hint="Leave it empty for no limit"
        inputMode="numeric"
        autoComplete="off"
      />
      <Submit busy={form.submitting}>Create link</Submit>
    </form>
  );
}
