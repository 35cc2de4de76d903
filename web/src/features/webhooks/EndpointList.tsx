import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { VaultwireClient } from '@vaultwire/client';
import { useState, type ReactNode } from 'react';
import { unwrap, type Schema } from '../../api';
import { Empty } from '../../components/States';
import { Field, FormError, Submit, useApiForm } from '../../components/form';
import { Badge, OnceSecret, QueryView, shortTime, Table } from '../../components/ui';

/** Webhook endpoints in a table, each linking to its detail (delivery log, replay). */
export function EndpointList({
  client,
  scope,
  link,
  emptyText,
}: {
  client: VaultwireClient;
  scope: unknown[];
  link: (e: Schema<'WebhookEndpoint'>) => ReactNode;
  emptyText: string;
}) {
  const endpoints = useQuery({
    queryKey: [...scope, 'webhook_endpoints'],
    queryFn: async () =>
      unwrap(await client.GET('/v1/webhook_endpoints', { params: { query: { limit: 100 } } })).data,
  });
  return (
    <QueryView
      query={endpoints}
      isEmpty={(d) => d.length === 0}
      empty={<Empty title={emptyText} />}
    >
      {(list) => (
        <Table
          caption="Webhook endpoints"
          head={['URL', 'State', 'Events', 'Failing since', 'Last success']}
        >
          {list.map((e) => (
            <tr key={e.id}>
              <td className="mono">{link(e)}</td>
              <td>
                <Badge value={e.status} />
              </td>
              <td>{e.event_types.join(', ')}</td>
              <td>{shortTime(e.failing_since)}</td>
              <td>{shortTime(e.last_success_at)}</td>
            </tr>
          ))}
        </Table>
      )}
    </QueryView>
  );
}

/** A new endpoint; its signing secret is shown once. */
export function NewEndpoint({ client, scope }: { client: VaultwireClient; scope: unknown[] }) {
  const queryClient = useQueryClient();
  const [secret, setSecret] = useState<string>();
  const form = useApiForm(
    'createWebhookEndpoint',
    { url: '', event_types: '', description: '' },
    async (v) => {
      const created = unwrap(
        await client.POST('/v1/webhook_endpoints', {
          body: {
            url: v.url.trim(),
            event_types: v.event_types
              .split(',')
              .map((t) => t.trim())
              .filter(Boolean),
            ...(v.description ? { description: v.description } : {}),
          },
        }),
      );
      setSecret(created.secret);
      await queryClient.invalidateQueries({ queryKey: [...scope, 'webhook_endpoints'] });
    },
  );
  return (
    <form onSubmit={form.onSubmit} noValidate className="card" aria-labelledby="new-endpoint">
      <h2 id="new-endpoint">New endpoint</h2>
      {secret && <OnceSecret label="Signing secret" value={secret} />}
      <FormError message={form.formError} />
      <Field
        form={form}
        name="url"
        label="URL"
        type="url"
        autoComplete="off"
        hint="https:// address that receives events"
      />
      <Field
        form={form}
        name="event_types"
        label="Events"
        autoComplete="off"
        hint="Comma-separated, for example invoice.paid, invoice.expired (or * for all)"
      />
      <Field form={form} name="description" label="Description (optional)" autoComplete="off" />
      <Submit busy={form.submitting}>Add endpoint</Submit>
    </form>
  );
}
