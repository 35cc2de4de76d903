import { Link, useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { api, session, unwrap, VaultwireApiError } from '../../api';
import { AuthFrame } from '../../components/Layout';
import { Field, FormError, Submit, useApiForm } from '../../components/form';

/** Log in; when the account has two-factor authentication, a second step asks for the code. */
export function LogInPage() {
  const navigate = useNavigate();
  const [needsCode, setNeedsCode] = useState(false);
  const form = useApiForm(
    'createSession',
    { email: '', password: '', totp_code: '' },
    async (v) => {
      try {
        const created = unwrap(
          await api.POST('/v1/sessions', {
            body: {
              email: v.email,
              password: v.password,
              ...(v.totp_code ? { totp_code: v.totp_code } : {}),
            },
          }),
        );
        session.save(created.token, created.expires_at);
        await navigate({ to: '/' });
      } catch (err) {
        if (err instanceof VaultwireApiError && err.code === 'totp_required') setNeedsCode(true);
        throw err;
      }
    },
  );
  return (
    <AuthFrame title={needsCode ? 'Enter your code' : 'Log in'}>
      <form onSubmit={form.onSubmit} noValidate>
        <FormError message={form.formError} />
        <div hidden={needsCode}>
          <Field
            form={form}
            name="email"
            label="Email"
            type="email"
            autoComplete="username"
            inputMode="email"
          />
          <Field
            form={form}
            name="password"
            label="Password"
            type="password"
            autoComplete="current-password"
          />
        </div>
        {needsCode && (
          <Field
            form={form}
            name="totp_code"
            label="6-digit code from your authenticator app"
            autoComplete="one-time-code"
            inputMode="numeric"
          />
        )}
        <Submit busy={form.submitting}>{needsCode ? 'Verify' : 'Log in'}</Submit>
      </form>
      <p className="switch">
        New here? <Link to="/signup">Create an account</Link>
      </p>
    </AuthFrame>
  );
}
