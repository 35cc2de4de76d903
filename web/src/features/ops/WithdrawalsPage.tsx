import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, formatAmount, unwrap, type Schema } from '../../api';
import { Empty } from '../../components/States';
import { Field, FormError, Submit, useApiForm } from '../../components/form';
import { ActionButton, QueryView, shortTime, Table } from '../../components/ui';

/** Withdrawals above the approval amount, waiting for an operator: approve or reject. */
export function WithdrawalsPage() {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['ops', 'withdrawals'] });
  const [rejecting, setRejecting] = useState<Schema<'Withdrawal'>>();
  const waiting = useQuery({
    queryKey: ['ops', 'withdrawals', 'pending_approval'],
    queryFn: async () =>
      unwrap(
        await api.GET('/v1/withdrawals', {
          params: { query: { status: 'pending_approval', limit: 100 } },
        }),
      ).data,
    refetchInterval: 10_000,
  });
  return (
    <>
      <h2>Awaiting approval</h2>
      <QueryView
        query={waiting}
        isEmpty={(d) => d.length === 0}
        empty={
          <Empty title="Nothing to approve">
            Withdrawals above a chain’s approval amount wait here.
          </Empty>
        }
      >
        {(list) => (
          <Table
            caption="Withdrawals awaiting approval"
            head={['Amount', 'Chain', 'To', 'User', 'Asked', '']}
          >
            {list.map((w) => (
              <tr key={w.id}>
                <td className="num">{formatAmount(w.amount, w.asset)}</td>
                <td>{w.chain}</td>
                <td className="mono">{w.to_address}</td>
                <td className="mono">{w.user_id}</td>
                <td>{shortTime(w.created_at)}</td>
                <td>
                  <ActionButton
                    label="Approve"
                    variant="primary"
                    confirm={`Approve sending ${formatAmount(w.amount, w.asset)} to ${w.to_address}?`}
                    run={async () =>
                      unwrap(
                        await api.POST('/v1/withdrawals/{id}/approve', {
                          params: { path: { id: w.id } },
                        }),
                      )
                    }
                    done={refresh}
                  />
                  <button
                    type="button"
                    className="button small danger"
                    onClick={() => {
                      setRejecting(w);
                    }}
                  >
                    Reject…
                  </button>
                </td>
              </tr>
            ))}
          </Table>
        )}
      </QueryView>
      {rejecting && (
        <RejectForm
          withdrawal={rejecting}
          done={() => {
            setRejecting(undefined);
            void refresh();
          }}
        />
      )}
    </>
  );
}

function RejectForm({ withdrawal, done }: { withdrawal: Schema<'Withdrawal'>; done: () => void }) {
  const form = useApiForm('rejectWithdrawal', { reason: '' }, async (v) => {
    unwrap(
      await api.POST('/v1/withdrawals/{id}/reject', {
        params: { path: { id: withdrawal.id } },
        body: { reason: v.reason },
      }),
    );
    done();
  });
  return (
    <form onSubmit={form.onSubmit} noValidate className="card" aria-labelledby="reject-title">
      <h2 id="reject-title">Reject {formatAmount(withdrawal.amount, withdrawal.asset)}</h2>
      <p className="muted">The hold is released: the money goes back to the user’s balance.</p>
      <FormError message={form.formError} />
      <Field form={form} name="reason" label="Reason (the user sees it)" autoComplete="off" />
      <Submit busy={form.submitting}>Reject withdrawal</Submit>
    </form>
  );
}
