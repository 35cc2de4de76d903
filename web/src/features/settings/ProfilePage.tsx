import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, formatTime, unwrap } from '../../api';
import { meQuery, Page } from '../../components/Layout';
import { Field, FormError, Submit, useApiForm } from '../../components/form';
import { ActionButton, QueryView } from '../../components/ui';

/** The handle friends pay, the password, and every signed-in session (revoke the others). */
export function ProfilePage() {
  const me = useQuery(meQuery);
  return (
    <Page title="Profile">
      <QueryView query={me}>{(user) => <HandleForm current={user.handle ?? ''} />}</QueryView>
      <PasswordForm />
      <Sessions />
    </Page>
  );
}

function HandleForm({ current }: { current: string }) {
  const queryClient = useQueryClient();
  const [saved, setSaved] = useState(false);
  const form = useApiForm('updateMe', { handle: current }, async (v) => {
    unwrap(await api.PATCH('/v1/me', { body: { handle: v.handle.trim() } }));
    setSaved(true);
    await queryClient.invalidateQueries({ queryKey: ['me'] });
  });
  return (
    <form onSubmit={form.onSubmit} noValidate className="card" aria-labelledby="handle-title">
      <h2 id="handle-title">Handle</h2>
      {saved && (
        <p className="card success" role="status">
          Saved: friends pay you at @{form.values.handle.trim().toLowerCase()}
        </p>
      )}
      <FormError message={form.formError} />
      <Field
        form={form}
        name="handle"
        label="Handle"
        autoComplete="username"
        hint="Friends pay you at @handle"
      />
      <Submit busy={form.submitting}>Save handle</Submit>
    </form>
  );
}

function PasswordForm() {
  const queryClient = useQueryClient();
  const [done, setDone] = useState(false);
  const form = useApiForm(
    'changePassword',
    { current_password: '', new_password: '' },
    async (v) => {
      unwrap(await api.POST('/v1/me/password', { body: v }));
      setDone(true);
      await queryClient.invalidateQueries({ queryKey: ['sessions'] });
    },
  );
  return (
    <form onSubmit={form.onSubmit} noValidate className="card" aria-labelledby="password-title">
      <h2 id="password-title">Password</h2>
      {done && (
        <p className="card success" role="status">
          Password changed. Your other sessions were signed out.
        </p>
      )}
      <FormError message={form.formError} />
      <Field
        form={form}
        name="current_password"
        label="Current password"
        type="password"
        autoComplete="current-password"
      />
      <Field
        form={form}
        name="new_password"
        label="New password"
        type="password"
        autoComplete="new-password"
        hint="At least 12 characters; not your email address"
      />
      <Submit busy={form.submitting}>Change password</Submit>
    </form>
  );
}

function Sessions() {
  const queryClient = useQueryClient();
  const sessions = useQuery({
    queryKey: ['sessions'],
    queryFn: async () => unwrap(await api.GET('/v1/sessions')).data,
  });
  return (
    <section aria-labelledby="sessions-title">
      <h2 id="sessions-title">Signed-in sessions</h2>
      <QueryView query={sessions}>
        {(list) => (
          <ul className="list" aria-label="Sessions">
            {list.map((s) => (
              <li key={s.id} className="row">
                <span className="row-main">
                  <span className="row-title">
                    {s.user_agent ? s.user_agent.slice(0, 60) : 'Unknown device'}
                    {s.current ? ' (this one)' : ''}
                  </span>
                  <span className="row-sub">
                    {s.ip ?? 'no address'} · signed in {formatTime(s.created_at)}
                    {s.last_used_at ? ` · last used ${formatTime(s.last_used_at)}` : ''}
                  </span>
                </span>
                {!s.current && (
                  <ActionButton
                    label="Sign out"
                    run={async () =>
                      unwrap(
                        await api.POST('/v1/sessions/{id}/revoke', {
                          params: { path: { id: s.id } },
                        }),
                      )
                    }
                    done={() => queryClient.invalidateQueries({ queryKey: ['sessions'] })}
                  />
                )}
              </li>
            ))}
          </ul>
        )}
      </QueryView>
    </section>
  );
}
