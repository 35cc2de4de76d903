import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { api, unwrap, type Schema } from '../../api';
import { Empty } from '../../components/States';
import { Field, FormError, Submit, useApiForm } from '../../components/form';
import { Badge, QueryView, shortTime, Table } from '../../components/ui';

/** People by email: their role and wallet; set the tier, freeze and unfreeze with a reason. */
export function UsersPage() {
  const [email, setEmail] = useState('');
  const [selected, setSelected] = useState<Schema<'User'>>();
  const id = useId();
  const users = useQuery({
    queryKey: ['ops', 'users', email],
    placeholderData: keepPreviousData,
    queryFn: async () =>
      unwrap(
        await api.GET('/v1/users', {
          params: { query: { limit: 50, ...(email.trim() ? { email: email.trim() } : {}) } },
        }),
      ).data,
  });
  return (
    <>
      <div className="field">
        <label htmlFor={id}>Find by email</label>
        <input
          id={id}
          type="search"
          value={email}
          autoComplete="off"
          onChange={(e) => {
            setEmail(e.target.value);
          }}
        />
      </div>
      <QueryView
        query={users}
        isEmpty={(d) => d.length === 0}
        empty={<Empty title="No user matches" />}
      >
        {(list) => (
          <Table caption="Users" head={['Email', 'Handle', 'Role', '2FA', 'Joined', '']}>
            {list.map((u) => (
              <tr key={u.id}>
                <td>{u.email}</td>
                <td>{u.handle ? `@${u.handle}` : '—'}</td>
                <td>{u.role}</td>
                <td>{u.totp_enabled ? 'on' : 'off'}</td>
                <td>{shortTime(u.created_at)}</td>
                <td>
                  <button
                    type="button"
                    className="button small secondary"
                    aria-pressed={selected?.id === u.id}
                    onClick={() => {
                      setSelected(u);
                    }}
                  >
                    Wallet
                  </button>
                </td>
              </tr>
            ))}
          </Table>
        )}
      </QueryView>
      {selected && <WalletAdmin user={selected} />}
    </>
  );
}

function WalletAdmin({ user }: { user: Schema<'User'> }) {
  const queryClient = useQueryClient();
  const key = ['ops', 'wallets', user.id];
  const wallet = useQuery({
    queryKey: key,
    queryFn: async () =>
      unwrap(await api.GET('/v1/admin/wallets/{user}', { params: { path: { user: user.id } } })),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: key });
  return (
    <section className="card" aria-labelledby="wallet-title">
      <h2 id="wallet-title">Wallet of {user.email}</h2>
      <QueryView query={wallet}>
        {(w) => (
          <>
            <p>
              Tier <strong>{w.tier}</strong> ·{' '}
              {w.frozen ? <Badge value="frozen" /> : <Badge value="active" />}
              {w.frozen_reason ? ` (${w.frozen_reason})` : ''}
            </p>
            <div className="grid-2">
              <TierForm user={user.id} tier={w.tier} done={refresh} />
              <FreezeForm user={user.id} frozen={w.frozen} done={refresh} />
            </div>
          </>
        )}
      </QueryView>
    </section>
  );
}

function TierForm({
  user,
  tier,
  done,
}: {
  user: string;
  tier: Schema<'WalletProfile'>['tier'];
  done: () => unknown;
}) {
  const form = useApiForm('setWalletTier', { tier, reason: '' }, async (v) => {
    unwrap(
      await api.POST('/v1/admin/wallets/{user}/tier', {
        params: { path: { user } },
        body: { tier: v.tier as Schema<'WalletProfile'>['tier'], reason: v.reason },
      }),
    );
    await done();
  });
  return (
    <form onSubmit={form.onSubmit} noValidate aria-label="Verification tier">
      <FormError message={form.formError} />
      <Field form={form} name="tier" label="Tier">
        {(['unverified', 'verified', 'enhanced'] as const).map((t) => (
          <option key={t} value={t}>
            {t}
          </option>
        ))}
      </Field>
      <Field form={form} name="reason" label="Reason for the tier" autoComplete="off" />
      <Submit busy={form.submitting}>Set tier</Submit>
    </form>
  );
}

function FreezeForm({
  user,
  frozen,
  done,
}: {
  user: string;
  frozen: boolean;
  done: () => unknown;
}) {
  const form = useApiForm(
    frozen ? 'unfreezeAdminWallet' : 'freezeAdminWallet',
    { reason: '' },
    async (v) => {
      unwrap(
        frozen
          ? await api.POST('/v1/admin/wallets/{user}/unfreeze', {
              params: { path: { user } },
              body: { reason: v.reason },
            })
          : await api.POST('/v1/admin/wallets/{user}/freeze', {
              params: { path: { user } },
              body: { reason: v.reason },
            }),
      );
      await done();
    },
  );
  return (
    <form onSubmit={form.onSubmit} noValidate aria-label={frozen ? 'Unfreeze' : 'Freeze'}>
      <FormError message={form.formError} />
      <Field
        form={form}
        name="reason"
        label={frozen ? 'Reason to unfreeze' : 'Reason to freeze'}
        autoComplete="off"
        hint={frozen ? undefined : 'A frozen wallet cannot send, trade or withdraw'}
      />
      <Submit busy={form.submitting}>{frozen ? 'Unfreeze wallet' : 'Freeze wallet'}</Submit>
    </form>
  );
}
