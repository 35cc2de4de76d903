import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap, VaultwireApiError, type Schema } from '../../api';
import { meQuery, Page } from '../../components/Layout';
import { Qr } from '../../components/Qr';
import { LoadError, Loading } from '../../components/States';
import { Field, FormError, Submit, useApiForm } from '../../components/form';

/** Two-factor authentication: enrol with a QR code, confirm a code, keep the recovery codes. */
export function SecurityPage() {
  const me = useQuery(meQuery);
  const [enrolment, setEnrolment] = useState<Schema<'TotpEnrolment'>>();
  const [codes, setCodes] = useState<string[]>();
  const [error, setError] = useState<string>();
  const start = async () => {
    setError(undefined);
    try {
      setEnrolment(unwrap(await api.POST('/v1/me/totp')));
    } catch (err) {
      setError(err instanceof VaultwireApiError ? err.message : 'The server could not be reached.');
    }
  };
  return (
    <Page title="Two-factor authentication">
      {me.isPending ? (
        <Loading />
      ) : me.isError ? (
        <LoadError error={me.error} retry={() => void me.refetch()} />
      ) : codes ? (
        <div className="card success" role="status">
          <h2>Two-factor authentication is on</h2>
          <p>Keep these recovery codes somewhere safe. Each works once, if you lose your phone.</p>
          <ul className="codes mono">
            {codes.map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ul>
        </div>
      ) : me.data.totp_enabled ? (
        <div className="card">
          <p>On. Logging in asks for a code from your authenticator app.</p>
        </div>
      ) : enrolment?.otpauth_uri ? (
        <Confirm enrolment={enrolment} onEnabled={setCodes} />
      ) : (
        <div className="card">
          <p>Off. Turn it on so a stolen password is not enough to get into your wallet.</p>
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
          <button type="button" className="button" onClick={() => void start()}>
            Turn on
          </button>
        </div>
      )}
    </Page>
  );
}

function Confirm({
  enrolment,
  onEnabled,
}: {
  enrolment: Schema<'TotpEnrolment'>;
  onEnabled: (codes: string[]) => void;
}) {
  const queryClient = useQueryClient();
  const form = useApiForm('enableTotp', { code: '' }, async (v) => {
    const status = unwrap(await api.POST('/v1/me/totp/confirm', { body: { code: v.code.trim() } }));
    await queryClient.invalidateQueries({ queryKey: ['me'] });
    onEnabled(status.recovery_codes ?? []);
  });
  return (
    <form onSubmit={form.onSubmit} noValidate className="card center">
      <p>Scan this with your authenticator app, then enter the code it shows.</p>
      <Qr
        value={enrolment.otpauth_uri ?? ''}
        label="QR code to add Vaultwire to your authenticator app"
      />
      <p className="muted">
        Or type this key: <span className="mono">{enrolment.secret}</span>
      </p>
      <FormError message={form.formError} />
      <Field
        form={form}
        name="code"
        label="6-digit code"
        inputMode="numeric"
        autoComplete="one-time-code"
      />
      <Submit busy={form.submitting}>Turn on</Submit>
    </form>
  );
}
