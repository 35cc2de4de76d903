import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap, type Schema } from '../../api';
import { Page } from '../../components/Layout';
import { Qr } from '../../components/Qr';
import { Empty, LoadError, Loading } from '../../components/States';
import { Field, FormError, Submit, useApiForm } from '../../components/form';

/** A deposit address on a chain, as text and as a QR code. */
export function ReceivePage() {
  const chains = useQuery({
    queryKey: ['chains'],
    queryFn: async () => unwrap(await api.GET('/v1/chains')).data,
  });
  const [address, setAddress] = useState<Schema<'DepositAddress'>>();
  return (
    <Page title="Receive crypto">
      {chains.isPending ? (
        <Loading />
      ) : chains.isError ? (
        <LoadError error={chains.error} retry={() => void chains.refetch()} />
      ) : chains.data.length === 0 ? (
        <Empty title="No chain to receive on">
          <p>This server follows no blockchain yet; the operator adds one in its configuration.</p>
        </Empty>
      ) : address ? (
        <AddressCard
          address={address}
          onBack={() => {
            setAddress(undefined);
          }}
        />
      ) : (
        <AddressForm chains={chains.data.map((c) => c.chain)} onAddress={setAddress} />
      )}
    </Page>
  );
}

function AddressForm({
  chains,
  onAddress,
}: {
  chains: string[];
  onAddress: (a: Schema<'DepositAddress'>) => void;
}) {
  const form = useApiForm(
    'createDepositAddress',
    { chain: chains[0] ?? '', asset: '' },
    async (v) => {
      onAddress(
        unwrap(
          await api.POST('/v1/deposit_addresses', {
            body: { chain: v.chain, asset: v.asset.trim() },
          }),
        ),
      );
    },
  );
  return (
    <form onSubmit={form.onSubmit} noValidate className="card">
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
      <Submit busy={form.submitting}>Show my address</Submit>
    </form>
  );
}

function AddressCard({
  address,
  onBack,
}: {
  address: Schema<'DepositAddress'>;
  onBack: () => void;
}) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="card center">
      <Qr
        value={address.address}
        label={`QR code of your ${address.asset} address on ${address.chain}`}
      />
      <p className="muted">
        Send only {address.asset} on {address.chain} to this address.
      </p>
      <p className="mono" aria-label="Deposit address">
        {address.address}
      </p>
      <div className="actions">
        <button
          type="button"
          className="button"
          onClick={() => {
            void navigator.clipboard.writeText(address.address).then(() => {
              setCopied(true);
            });
          }}
        >
          {copied ? 'Copied' : 'Copy address'}
        </button>
        <button type="button" className="button secondary" onClick={onBack}>
          Another asset
        </button>
      </div>
    </div>
  );
}
