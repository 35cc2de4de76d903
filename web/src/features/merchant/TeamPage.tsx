import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api';
import { Field, FormError, Submit, useApiForm } from '../../components/form';
import { ActionButton, QueryView, shortTime, Table } from '../../components/ui';
import { useMerchant } from './context';

const ROLES = ['owner', 'admin', 'developer', 'support', 'viewer'] as const;

/** Who works on this merchant, with which role; add by email, remove. */
export function TeamPage() {
  const { merchant } = useMerchant();
  const queryClient = useQueryClient();
  const params = { params: { path: { merchant: merchant.id } } };
  const members = useQuery({
    queryKey: ['merchants', merchant.id, 'members'],
    queryFn: async () => unwrap(await api.GET('/v1/merchants/{merchant}/members', params)).data,
  });
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: ['merchants', merchant.id, 'members'] });
  const form = useApiForm('membersMerchant', { email: '', role: 'viewer' }, async (v) => {
    unwrap(
      await api.POST('/v1/merchants/{merchant}/members', {
        ...params,
        body: { email: v.email.trim(), role: v.role as (typeof ROLES)[number] },
      }),
    );
    await refresh();
  });
  return (
    <>
      <QueryView query={members}>
        {(list) => (
          <Table caption="Team members" head={['User', 'Role', 'Since', '']}>
            {list.map((m) => (
              <tr key={m.user}>
                <td className="mono">{m.user}</td>
                <td>{m.role}</td>
                <td>{shortTime(m.created_at)}</td>
                <td>
                  <ActionButton
                    label="Remove"
                    variant="danger"
                    confirm="Remove this member from the merchant?"
                    run={async () => {
                      unwrap(
                        await api.DELETE('/v1/merchants/{merchant}/members/{user}', {
                          params: { path: { merchant: merchant.id, user: m.user } },
                        }),
                      );
                    }}
                    done={refresh}
                  />
                </td>
              </tr>
            ))}
          </Table>
        )}
      </QueryView>
      <form onSubmit={form.onSubmit} noValidate className="card" aria-labelledby="add-member">
        <h2 id="add-member">Add a member</h2>
        <FormError message={form.formError} />
        <Field
          form={form}
          name="email"
          label="Email of a Vaultwire user"
          type="email"
          autoComplete="off"
        />
        <Field form={form} name="role" label="Role">
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </Field>
        <Submit busy={form.submitting}>Add member</Submit>
      </form>
    </>
  );
}
