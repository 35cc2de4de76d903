import { Link, useNavigate } from '@tanstack/react-router';
import { api, session, unwrap } from '../../api';
import { AuthFrame } from '../../components/Layout';
import { Field, FormError, Submit, useApiForm } from '../../components/form';

/** Create an account, then log straight in. */
export function SignUpPage() {
  const navigate = useNavigate();
  const form = useApiForm('createUser', { email: '', password: '', handle: '' }, async (v) => {
    unwrap(
      await api.POST('/v1/users', {
        body: { email: v.email, password: v.password, ...(v.handle ? { handle: v.handle } : {}) },
      }),
    );
    const created = unwrap(
      await api.POST('/v1/sessions', { body: { email: v.email, password: v.password } }),
    );
    session.save(created.token, created.expires_at);
    await navigate({ to: '/' });
  });
  return (
    <AuthFrame title="Create your wallet">
      <form onSubmit={form.onSubmit} noValidate>
        <FormError message={form.formError} />
        <Field
          form={form}
          name="email"
          label="Email"
          type="email"
          autoComplete="email"
          inputMode="email"
        />
        <Field
          form={form}
          name="password"
          label="Password"
          type="password"
          autoComplete="new-password"
          hint="At least 12 characters, not your email address."
        />
        <Field
          form={form}
          name="handle"
          label="Handle (optional)"
          autoComplete="username"
          hint="How friends pay you: 3 to 30 letters, digits or underscores."
        />
        <Submit busy={form.submitting}>Create account</Submit>
      </form>
      <p className="switch">
        Already have an account? <Link to="/login">Log in</Link>
      </p>
    </AuthFrame>
  );
}
