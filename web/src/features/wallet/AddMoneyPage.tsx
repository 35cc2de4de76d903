import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { api, formatAmount, unwrap } from '../../api';
import { Page } from '../../components/Layout';
import { Empty, LoadError, Loading } from '../../components/States';
import { Field, FormError, Submit, useApiForm } from '../../components/form';
import { assetsQuery } from './queries';

/** A bank deposit (the test rail in dev and qa), followed until it settles. */
export function AddMoneyPage() {
  const assets = useQuery(assetsQuery);
  const [depositId, setDepositId] = useState<string>();
  return (
    <Page title="Add money">
      {assets.isPending ? (
        <Loading />
      ) : assets.isError ? (
        <LoadError error={assets.error} retry={() => void assets.refetch()} />
      ) : depositId ? (
        <DepositStatus
          id={depositId}
          onAnother={() => {
            setDepositId(undefined);
          }}
        />
      ) : assets.data.filter((a) => a.kind === 'fiat').length === 0 ? (
        <Empty title="No currency to deposit">
          <p>The operator has not configured a fiat currency.</p>
        </Empty>
      ) : (
        <DepositForm
          fiat={assets.data.filter((a) => a.kind === 'fiat').map((a) => a.code)}
          onStarted={setDepositId}
        />
      )}
    </Page>
  );
}

function DepositForm({ fiat, onStarted }: { fiat: string[]; onStarted: (id: string) => void }) {
  const form = useApiForm(
    'createFiatDeposit',
    { asset: fiat.includes('USD') ? 'USD' : (fiat[0] ?? ''), amount: '' },
    async (v) => {
      const deposit = unwrap(
        await api.POST('/v1/fiat_deposits', { body: { asset: v.asset, amount: v.amount.trim() } }),
      );
      onStarted(deposit.id);
    },
  );
  return (
    <form onSubmit={form.onSubmit} noValidate className="card">
      <FormError message={form.formError} />
      <Field form={form} name="asset" label="Currency">
        {fiat.map((code) => (
          <option key={code} value={code}>
            {code}
          </option>
        ))}
      </Field>
      <Field form={form} name="amount" label="Amount" inputMode="decimal" autoComplete="off" />
      <Submit busy={form.submitting}>Deposit</Submit>
    </form>
  );
}

function DepositStatus({ id, onAnother }: { id: string; onAnother: () => void }) {
  const queryClient = useQueryClient();
  const deposit = useQuery({
    queryKey: ['fiat_deposit', id],
    queryFn: async () =>
      unwrap(await api.GET('/v1/fiat_deposits/{id}', { params: { path: { id } } })),
    refetchInterval: (q) => (q.state.data?.status === 'pending' ? 1000 : false),
  });
  const status = deposit.data?.status;
  useEffect(() => {
    if (status === 'settled') void queryClient.invalidateQueries({ queryKey: ['wallet'] });
  }, [status, queryClient]);
  if (deposit.isPending) return <Loading />;
  if (deposit.isError)
    return <LoadError error={deposit.error} retry={() => void deposit.refetch()} />;
  const d = deposit.data;
  return (
    <>
      <div
        className={`card ${d.status === 'failed' ? 'error' : 'success'}`}
        role="status"
        aria-live="polite"
      >
        <p className="big">{formatAmount(d.amount, d.asset)}</p>
        <p>
          {d.status === 'pending' && 'On its way from your bank…'}
          {d.status === 'settled' && 'Arrived in your wallet.'}
          {d.status === 'failed' && `Failed: ${d.failure_reason ?? 'the bank refused it'}`}
        </p>
      </div>
      <div className="actions">
        <Link to="/" className="button">
          See balances
        </Link>
        <button type="button" className="button secondary" onClick={onAnother}>
          Deposit again
        </button>
      </div>
    </>
  );
}
