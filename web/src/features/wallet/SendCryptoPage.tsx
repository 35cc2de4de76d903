import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, formatAmount, formatTime, unwrap, type Schema } from '../../api';
import { Page } from '../../components/Layout';
import { Empty } from '../../components/States';
import { Field, FormError, Submit, useApiForm } from '../../components/form';
import { Badge, QueryView } from '../../components/ui';

const STATE_TEXT: Record<Schema<'Withdrawal'>['status'], string> = {
  pending_approval: 'Waiting for an operator to approve it (large amounts are checked by hand).',
  queued: 'Approved; waiting to be signed.',
  signed: 'Signed; being sent to the network.',
  broadcast: 'On its way: sent to the network, waiting for confirmations.',
  confirmed: 'Confirmed on chain.',
  completed: 'Delivered.',
  failed: 'Failed; the money is back in your balance.',
  rejected: 'Rejected by an operator; the money is back in your balance.',
};

// Close to what the API accepts: a 0x address of 20 bytes. Its checksum (mixed case) is
// checked by the API, which answers with the `to_address` param when it is wrong.
const EVM_ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** Send crypto to an address on a chain: the address checked, the approval state followed. */
export function SendCryptoPage() {
  const chains = useQuery({
    queryKey: ['chains'],
    queryFn: async () => unwrap(await api.GET('/v1/chains')).data,
  });
  const withdrawals = useQuery({
    queryKey: ['withdrawals'],
    queryFn: async () =>
      unwrap(await api.GET('/v1/withdrawals', { params: { query: { limit: 20 } } })).data,
    refetchInterval: (q) =>
      q.state.data?.some(
        (w) => !['completed', 'confirmed', 'failed', 'rejected'].includes(w.status),
      )
        ? 5000
        : false,
  });
  return (
    <Page title="Send crypto">
      <QueryView
        query={chains}
        isEmpty={(c) => c.length === 0}
        empty={
          <Empty title="No chain to send on">
            <p>
              This server follows no blockchain yet; the operator adds one in its configuration.
            </p>
          </Empty>
        }
      >
        {(list) => <SendForm chains={list.map((c) => c.chain)} />}
      </QueryView>
      <h2>Your sends</h2>
      <QueryView
        query={withdrawals}
        isEmpty={(d) => d.length === 0}
        empty={<Empty title="Nothing sent yet" />}
      >
        {(list) => (
          <ul className="list" aria-label="Sends">
            {list.map((w) => (
              <li key={w.id} className="row">
                <span className="row-main">
                  <span className="row-title">
                    {formatAmount(w.amount, w.asset)} on {w.chain}
                  </span>
                  <span className="row-sub mono">to {w.to_address}</span>
                  <span className="row-sub">
                    {STATE_TEXT[w.status]}
                    {w.failure_reason ? ` (${w.failure_reason})` : ''} · {formatTime(w.created_at)}
                  </span>
                </span>
                <Badge value={w.status} />
              </li>
            ))}
          </ul>
        )}
      </QueryView>
    </Page>
  );
}

function SendForm({ chains }: { chains: string[] }) {
  const queryClient = useQueryClient();
  const [sent, setSent] = useState<Schema<'Withdrawal'>>();
  const form = useApiForm(
    'createWithdrawal',
    { chain: chains[0] ?? '', asset: '', to_address: '', amount: '' },
    async (v) => {
      const w = unwrap(
        await api.POST('/v1/withdrawals', {
          body: {
            chain: v.chain,
            asset: v.asset.trim(),
            to_address: v.to_address.trim(),
            amount: v.amount.trim(),
          },
        }),
      );
      setSent(w);
      await queryClient.invalidateQueries({ queryKey: ['withdrawals'] });
      await queryClient.invalidateQueries({ queryKey: ['wallet'] });
    },
  );
  const addressLooksWrong =
    form.values.to_address.trim() !== '' && !EVM_ADDRESS.test(form.values.to_address.trim());
  return (
    <form onSubmit={form.onSubmit} noValidate className="card">
      {sent && (
        <div className="card success" role="status">
          <p className="row-title">
            {formatAmount(sent.amount, sent.asset)} to {sent.to_address.slice(0, 10)}…
          </p>
          <p>
            <Badge value={sent.status} /> {STATE_TEXT[sent.status]}
            {sent.internal
              ? ' Settled inside Vaultwire: the address belongs to another wallet here.'
              : ''}
          </p>
        </div>
      )}
      <FormError message={form.formError} />
      <Field form={form} name="chain" label="Network">
        {chains.map((c) => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </Field>
      <Field
        form={form}
        name="asset"
        label="Asset"
        hint="For example ETH or USDC"
        autoComplete="off"
      />
      <Field
        form={form}
        name="to_address"
        label="To address"
        autoComplete="off"
        hint={
          addressLooksWrong
            ? 'This does not look like an address on this network (0x and 40 hex characters).'
            : 'Check it twice: a send on chain cannot be undone.'
        }
      />
      <Field form={form} name="amount" label="Amount" inputMode="decimal" autoComplete="off" />
      <Submit busy={form.submitting}>Send</Submit>
    </form>
  );
}
