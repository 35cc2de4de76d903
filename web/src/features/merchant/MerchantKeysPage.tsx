import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api';
import { Empty } from '../../components/States';
import { Field, FormError, Submit, useApiForm } from '../../components/form';
import { ActionButton, Badge, OnceSecret, QueryView, shortTime, Table } from '../../components/ui';
import { dashboardKeys, useMerchant } from './context';

/** The merchant's API keys (both modes): create (token shown once), revoke. */
export function MerchantKeysPage() {
  const { merchant, mode } = useMerchant();
  const queryClient = useQueryClient();
  const [token, setToken] = useState<string>();
  const [, setForgotten] = useState(0);
  const params = { params: { path: { merchant: merchant.id } } };
  const keys = useQuery({
    queryKey: ['merchants', merchant.id, 'api_keys'],
    queryFn: async () => unwrap(await api.GET('/v1/merchants/{merchant}/api_keys', params)).data,
  });
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: ['merchants', merchant.id, 'api_keys'] });
  const form = useApiForm('apiMerchantKeys', { name: '', mode }, async (v) => {
    const created = unwrap(
      await api.POST('/v1/merchants/{merchant}/api_keys', {
        ...params,
        body: { name: v.name.trim(), mode: v.mode === 'live' ? 'live' : 'test' },
      }),
    );
    setToken(created.token);
    await refresh();
  });
  const connected = dashboardKeys.get(merchant.id, mode);
  return (
    <>
      <form onSubmit={form.onSubmit} noValidate className="card" aria-labelledby="new-key">
        <h2 id="new-key">New API key</h2>
        {token && <OnceSecret label="API key" value={token} />}
        <FormError message={form.formError} />
        <Field
          form={form}
          name="name"
          label="Name"
          autoComplete="off"
          hint="Where it is used, for example “Shop backend”"
        />
        <Field form={form} name="mode" label="Mode">
          <option value="test">Test</option>
          <option value="live">Live</option>
        </Field>
        <Submit busy={form.submitting}>Create key</Submit>
      </form>
      <h2>Keys</h2>
      <QueryView query={keys} isEmpty={(d) => d.length === 0} empty={<Empty title="No keys yet" />}>
        {(list) => (
          <Table caption="API keys" head={['Name', 'Mode', 'Ends in', 'Scopes', 'Created', '']}>
            {list.map((k) => (
              <tr key={k.id}>
                <td>{k.name}</td>
                <td>{k.livemode ? 'live' : 'test'}</td>
                <td className="mono">…{k.hint}</td>
                <td>{k.scopes.join(', ')}</td>
                <td>{shortTime(k.created_at)}</td>
                <td>
                  {k.revoked_at ? (
                    <Badge value="revoked" />
                  ) : (
                    <ActionButton
                      label="Revoke"
                      variant="danger"
                      confirm={`Revoke “${k.name}”? Calls with it stop working at once.`}
                      run={async () =>
                        unwrap(
                          await api.DELETE('/v1/merchants/{merchant}/api_keys/{key}', {
                            params: { path: { merchant: merchant.id, key: k.id } },
                          }),
                        )
                      }
                      done={refresh}
                    />
                  )}
                </td>
              </tr>
            ))}
          </Table>
        )}
      </QueryView>
      {connected && (
        <div className="card">
          <p>
            This browser holds a {mode} dashboard key (ending …{connected.slice(-4)}). Forgetting it
            here does not revoke it.
          </p>
          <button
            type="button"
            className="button small secondary"
            onClick={() => {
              dashboardKeys.forget(merchant.id, mode);
              setForgotten((n) => n + 1);
            }}
          >
            Forget the {mode} key in this browser
          </button>
        </div>
      )}
    </>
  );
}
