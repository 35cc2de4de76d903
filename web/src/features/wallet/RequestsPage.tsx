import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, formatAmount, formatTime, unwrap, type Schema } from '../../api';
import { meQuery, Page } from '../../components/Layout';
import { Empty } from '../../components/States';
import { Field, FormError, Submit, useApiForm } from '../../components/form';
import { ActionButton, Badge, QueryView } from '../../components/ui';
import { balancesQuery } from './queries';

type Direction = 'incoming' | 'outgoing';

/** Ask a friend for money, and pay, decline or cancel requests. */
export function RequestsPage() {
  const [direction, setDirection] = useState<Direction>('incoming');
  const me = useQuery(meQuery);
  const requests = useQuery({
    queryKey: ['payment_requests', direction],
    queryFn: async () =>
      unwrap(await api.GET('/v1/payment_requests', { params: { query: { direction, limit: 50 } } }))
        .data,
  });
  return (
    <Page title="Requests">
      <RequestForm />
      <h2>Requests</h2>
      <div className="mode-switch" role="group" aria-label="Which requests">
        {(['incoming', 'outgoing'] as const).map((d) => (
          <button
            key={d}
            type="button"
            aria-pressed={direction === d}
            onClick={() => {
              setDirection(d);
            }}
          >
            {d === 'incoming' ? 'To pay' : 'Sent by me'}
          </button>
        ))}
      </div>
      <QueryView
        query={requests}
        isEmpty={(d) => d.length === 0}
        empty={
          <Empty
            title={direction === 'incoming' ? 'Nobody asked you for money' : 'No requests sent'}
          />
        }
      >
        {(list) => (
          <ul
            className="list"
            aria-label={direction === 'incoming' ? 'Requests to pay' : 'Requests sent'}
          >
            {list.map((r) => (
              <RequestRow key={r.id} request={r} mine={r.requester_user_id === me.data?.id} />
            ))}
          </ul>
        )}
      </QueryView>
    </Page>
  );
}

/** How a request names the other person: their @handle (a person without one: "someone"). */
function handleOf(handle: string | null): string {
  return handle ? `@${handle}` : 'someone without a handle';
}

function RequestRow({ request: r, mine }: { request: Schema<'PaymentRequest'>; mine: boolean }) {
  const queryClient = useQueryClient();
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: ['payment_requests'] });
    await queryClient.invalidateQueries({ queryKey: ['wallet'] });
    await queryClient.invalidateQueries({ queryKey: ['history'] });
  };
  return (
    <li className="row">
      <span className="row-main">
        <span className="row-title">
          {formatAmount(r.amount, r.asset)} {r.note ? `· “${r.note}”` : ''}
        </span>
        <span className="row-sub">
          {mine
            ? `asked of ${handleOf(r.payer_handle)}`
            : `${handleOf(r.requester_handle)} asks you`}{' '}
          · {formatTime(r.created_at)}
        </span>
        {r.status === 'pending' && (
          <span className="actions" style={{ marginTop: '0.5rem', marginBottom: 0 }}>
            {mine ? (
              <ActionButton
                label="Cancel"
                run={async () =>
                  unwrap(
                    await api.POST('/v1/payment_requests/{id}/cancel', {
                      params: { path: { id: r.id } },
                    }),
                  )
                }
                done={refresh}
              />
            ) : (
              <>
                <ActionButton
                  label={`Pay ${formatAmount(r.amount, r.asset)}`}
                  variant="primary"
                  run={async () =>
                    unwrap(
                      await api.POST('/v1/payment_requests/{id}/pay', {
                        params: { path: { id: r.id } },
                      }),
                    )
                  }
                  done={refresh}
                />
                <ActionButton
                  label="Decline"
                  run={async () =>
                    unwrap(
                      await api.POST('/v1/payment_requests/{id}/decline', {
                        params: { path: { id: r.id } },
                      }),
                    )
                  }
                  done={refresh}
                />
              </>
            )}
          </span>
        )}
      </span>
      <Badge value={r.status} />
    </li>
  );
}

function RequestForm() {
  const queryClient = useQueryClient();
  const balances = useQuery(balancesQuery);
  const [sent, setSent] = useState<string>();
  const form = useApiForm(
    'createPaymentRequest',
    { from: '', asset: 'USD', amount: '', note: '' },
    async (v) => {
      const r = unwrap(
        await api.POST('/v1/payment_requests', {
          body: {
            from: v.from.trim(),
            asset: v.asset,
            amount: v.amount.trim(),
            ...(v.note ? { note: v.note } : {}),
          },
        }),
      );
      setSent(`Asked ${v.from.trim()} for ${formatAmount(r.amount, r.asset)}.`);
      await queryClient.invalidateQueries({ queryKey: ['payment_requests'] });
    },
  );
  return (
    <form onSubmit={form.onSubmit} noValidate className="card" aria-labelledby="request-title">
      <h2 id="request-title">Request money</h2>
      {sent && (
        <p className="card success" role="status">
          {sent}
        </p>
      )}
      <FormError message={form.formError} />
      <Field
        form={form}
        name="from"
        label="From"
        hint="@handle or email address"
        autoComplete="off"
      />
      <Field form={form} name="asset" label="Currency">
        {(balances.data ?? [{ asset: 'USD' }]).map((b) => (
          <option key={b.asset} value={b.asset}>
            {b.asset}
          </option>
        ))}
      </Field>
      <Field form={form} name="amount" label="Amount" inputMode="decimal" autoComplete="off" />
      <Field form={form} name="note" label="What for (optional)" autoComplete="off" />
      <Submit busy={form.submitting}>Send request</Submit>
    </form>
  );
}
