import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { api, unwrap } from '../../api';
import { Page } from '../../components/Layout';
import { Empty } from '../../components/States';
import { Field, FormError, Submit, useApiForm } from '../../components/form';
import { QueryView } from '../../components/ui';

export const merchantsQuery = {
  queryKey: ['merchants'],
  queryFn: async () => unwrap(await api.GET('/v1/merchants')).data,
};

/** The merchants this person belongs to, and a new one. */
export function MerchantsPage() {
  const merchants = useQuery(merchantsQuery);
  return (
    <Page title="Merchant dashboard">
      <QueryView
        query={merchants}
        isEmpty={(d) => d.length === 0}
        empty={
          <Empty title="You are in no merchant yet">
            <p>Create one below, or ask a merchant’s owner to add you to its team.</p>
          </Empty>
        }
      >
        {(list) => (
          <ul className="list links" aria-label="Merchants">
            {list.map((m) => (
              <li key={m.id}>
                <Link to="/merchant/$merchantId" params={{ merchantId: m.id }}>
                  {m.name} <span className="muted">· {m.role ?? 'member'}</span>
                </Link>
              </li>
            ))}
          </ul>
        )}
      </QueryView>
      <NewMerchant />
    </Page>
  );
}

function NewMerchant() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const form = useApiForm('createMerchant', { name: '' }, async (v) => {
    const m = unwrap(await api.POST('/v1/merchants', { body: { name: v.name.trim() } }));
    await queryClient.invalidateQueries({ queryKey: ['merchants'] });
    await navigate({ to: '/merchant/$merchantId', params: { merchantId: m.id } });
  });
  return (
    <form onSubmit={form.onSubmit} noValidate className="card" aria-labelledby="new-merchant">
      <h2 id="new-merchant">New merchant</h2>
      <FormError message={form.formError} />
      <Field form={form} name="name" label="Business name" autoComplete="organization" />
      <Submit busy={form.submitting}>Create merchant</Submit>
    </form>
  );
}
