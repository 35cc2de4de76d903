import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { api, formatTime, unwrap } from '../../api';
import { Page } from '../../components/Layout';
import { Empty, LoadError, Loading } from '../../components/States';
import { Field, FormError, Submit, useApiForm } from '../../components/form';

/** API keys: create with scopes (the secret shown once), list, revoke. */
export function ApiKeysPage() {
  const queryClient = useQueryClient();
  const keys = useQuery({
    queryKey: ['api_keys'],
    queryFn: async () => unwrap(await api.GET('/v1/api_keys')).data,
  });
  const revoke = useMutation({
    mutationFn: async (id: string) =>
      unwrap(await api.POST('/v1/api_keys/{id}/revoke', { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['api_keys'] }),
  });
  const [secret, setSecret] = useState<string>();
  return (
    <Page title="API keys">
      {secret && (
        <div className="card success" role="status">
          <p>Copy this key now: it is not shown again.</p>
          <p className="mono">{secret}</p>
        </div>
      )}
      <CreateKey onCreated={setSecret} />
      {keys.isPending ? (
        <Loading />
      ) : keys.isError ? (
        <LoadError error={keys.error} retry={() => void keys.refetch()} />
      ) : keys.data.length === 0 ? (
        <Empty title="No API keys">
          <p>Create one to call the API from your own code.</p>
        </Empty>
      ) : (
        <ul className="list" aria-label="API keys">
          {keys.data.map((k) => (
            <li key={k.id} className="row">
              <span className="row-main">
                <span className="row-title">{k.name}</span>
                <span className="row-sub mono">{k.redacted_key}</span>
                <span className="row-sub">
                  {k.status} · {k.scopes.join(', ')} · created {formatTime(k.created_at)}
                </span>
              </span>
              {k.status === 'active' && (
                <button
                  type="button"
                  className="button secondary small"
                  disabled={revoke.isPending}
                  onClick={() => {
                    revoke.mutate(k.id);
                  }}
                  aria-label={`Revoke ${k.name}`}
                >
                  Revoke
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </Page>
  );
}

function CreateKey({ onCreated }: { onCreated: (secret: string) => void }) {
  const queryClient = useQueryClient();
  const scopes = useQuery({
    queryKey: ['scopes'],
    queryFn: async () => unwrap(await api.GET('/v1/scopes')).data,
    staleTime: Infinity,
  });
  const [chosen, setChosen] = useState<string[]>([]);
  const id = useId();
  const form = useApiForm('createApiKey', { name: '' }, async (v) => {
    const created = unwrap(
      await api.POST('/v1/api_keys', { body: { name: v.name.trim(), scopes: chosen } }),
    );
    await queryClient.invalidateQueries({ queryKey: ['api_keys'] });
    setChosen([]);
    form.set('name', '');
    if (created.secret) onCreated(created.secret);
  });
  return (
    <form onSubmit={form.onSubmit} noValidate className="card">
      <h2>New key</h2>
      <FormError message={form.formError} />
      <Field form={form} name="name" label="Name" autoComplete="off" />
      <fieldset className="scopes">
        <legend>Scopes</legend>
        {scopes.isPending && <Loading label="Loading scopes…" />}
        {scopes.isError && <LoadError error={scopes.error} />}
        {scopes.data?.map((s, i) => (
          <div key={s.scope} className="check">
            <input
              type="checkbox"
              id={`${id}-${i}`}
              checked={chosen.includes(s.scope)}
              onChange={(e) => {
                setChosen(
                  e.target.checked ? [...chosen, s.scope] : chosen.filter((x) => x !== s.scope),
                );
              }}
            />
            <label htmlFor={`${id}-${i}`}>
              <span className="mono">{s.scope}</span> — {s.description}
            </label>
          </div>
        ))}
      </fieldset>
      <Submit busy={form.submitting}>Create key</Submit>
    </form>
  );
}
