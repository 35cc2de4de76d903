import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap, VaultwireApiError, type Schema } from '../../api';
import { Empty } from '../../components/States';
import {
  ActionButton,
  Badge,
  errorMessage,
  QueryView,
  shortTime,
  Table,
} from '../../components/ui';

/** "3 s", "4 min", "2 h", "1 d": how long the oldest job has waited, at a glance. */
export function formatAge(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} d`;
}

const DEAD_PAGE = 100;

/**
 * The platform's job queues: depth and the oldest due job's age per queue and state, the
 * outbox backlog, and the dead jobs (out of attempts) with their last error, to retry one
 * by one or all at once. Payloads are never shown (the API leaves them out: they carry
 * other people's data).
 */
export function QueuesPage() {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['ops', 'queues'] });
  // Kept here, not in the list: after "Retry all" the list empties and unmounts, and the
  // outcome must still be read.
  const [outcome, setOutcome] = useState<string>();
  const depth = useQuery({
    queryKey: ['ops', 'queues', 'depth'],
    queryFn: async () => unwrap(await api.GET('/v1/ops/queues')),
    refetchInterval: 10_000,
  });
  const dead = useQuery({
    queryKey: ['ops', 'queues', 'dead'],
    queryFn: async () =>
      unwrap(await api.GET('/v1/ops/jobs/dead', { params: { query: { limit: DEAD_PAGE } } })),
    refetchInterval: 10_000,
  });
  return (
    <>
      <h2>Queues</h2>
      <QueryView
        query={depth}
        loading="Loading queues…"
        isEmpty={(d) => d.queues.length === 0}
        empty={
          <Empty title="No jobs in any queue">
            Outbox backlog: {depth.data?.outbox.pending ?? 0} events.
          </Empty>
        }
      >
        {(d) => (
          <>
            <p>
              Outbox backlog: <strong>{d.outbox.pending}</strong> events waiting to be relayed
              {d.outbox.pending > 0 && (
                <>, the oldest for {formatAge(d.outbox.oldest_age_seconds)}</>
              )}
              .
            </p>
            <Table caption="Queue depth" head={['Queue', 'State', 'Jobs', 'Oldest due']}>
              {d.queues.map((q) => (
                <tr key={`${q.queue}/${q.state}`}>
                  <td className="mono">{q.queue}</td>
                  <td>
                    <Badge value={q.state} />
                  </td>
                  <td className="num">{q.count}</td>
                  <td className="num">
                    {q.state === 'queued' ? formatAge(q.oldest_age_seconds) : '—'}
                  </td>
                </tr>
              ))}
            </Table>
          </>
        )}
      </QueryView>

      <h2 id="dead-jobs">Dead jobs</h2>
      <p role="status" aria-live="polite">
        {outcome}
      </p>
      <QueryView
        query={dead}
        loading="Loading dead jobs…"
        isEmpty={(p) => p.data.length === 0}
        empty={
          <Empty title="No dead jobs">
            A job that runs out of attempts waits here for an operator to retry it.
          </Empty>
        }
      >
        {(p) => <DeadJobs jobs={p.data} more={p.has_more} done={refresh} setOutcome={setOutcome} />}
      </QueryView>
    </>
  );
}

function DeadJobs({
  jobs,
  more,
  done,
  setOutcome,
}: {
  jobs: Schema<'Job'>[];
  more: boolean;
  done: () => unknown;
  setOutcome: (text: string | undefined) => void;
}) {
  // Retrying all is one retry per listed job: a job someone else retried meanwhile answers
  // 409 job_not_dead, which is the outcome wanted, so it counts as retried, not failed.
  const retryAll = useMutation({
    mutationFn: async () => {
      let retried = 0;
      const failed: string[] = [];
      for (const job of jobs) {
        try {
          unwrap(await api.POST('/v1/ops/jobs/{id}/retry', { params: { path: { id: job.id } } }));
          retried++;
        } catch (e) {
          if (e instanceof VaultwireApiError && e.code === 'job_not_dead') retried++;
          else failed.push(`${job.id}: ${errorMessage(e)}`);
        }
      }
      return { retried, failed };
    },
    onSuccess: (r) => {
      setOutcome(
        r.failed.length === 0
          ? `Retried ${r.retried} ${r.retried === 1 ? 'job' : 'jobs'}.`
          : `Retried ${r.retried}; ${r.failed.length} failed: ${r.failed.join('; ')}`,
      );
      void done();
    },
  });
  return (
    <>
      <p className="muted">
        {jobs.length} dead {jobs.length === 1 ? 'job' : 'jobs'}
        {more ? ` shown (the oldest ${jobs.length}; more after these are retried)` : ''}. Retrying
        puts a job back in its queue with fresh attempts.
      </p>
      <div className="actions">
        <button
          type="button"
          className="button small"
          disabled={retryAll.isPending}
          aria-busy={retryAll.isPending}
          onClick={() => {
            if (!window.confirm(`Retry all ${jobs.length} dead jobs shown?`)) return;
            setOutcome(undefined);
            retryAll.mutate();
          }}
        >
          {retryAll.isPending ? 'Retrying…' : `Retry all ${jobs.length}`}
        </button>
      </div>
      <Table caption="Dead jobs" head={['Job', 'Queue', 'Attempts', 'Last error', 'Failed at', '']}>
        {jobs.map((j) => (
          <tr key={j.id}>
            <td className="mono id" id={`job-${j.id}`}>
              {j.id}
            </td>
            <td className="mono id">{j.queue}</td>
            <td className="num">
              {j.attempts} of {j.max_attempts}
            </td>
            <td>
              <LastError message={j.last_error} trace={j.last_error_trace} />
            </td>
            <td>{shortTime(j.updated_at)}</td>
            <td>
              <ActionButton
                label="Retry"
                confirm={`Retry job ${j.id} from ${j.queue}?`}
                describedBy={`job-${j.id}`}
                run={async () =>
                  unwrap(
                    await api.POST('/v1/ops/jobs/{id}/retry', { params: { path: { id: j.id } } }),
                  )
                }
                done={done}
              />
            </td>
          </tr>
        ))}
      </Table>
    </>
  );
}

/**
 * A job's last error: its message in the row, and where it failed (the frames the API
 * gives to those who may retry the job) behind a disclosure, so a row stays one glance
 * tall.
 */
function LastError({ message, trace }: { message: string | null; trace: string | null }) {
  if (message === null) return <>—</>;
  return trace === null ? (
    <>{message}</>
  ) : (
    <>
      {message}
      <details className="error-trace">
        <summary>Where it failed</summary>
        <pre>{trace}</pre>
      </details>
    </>
  );
}
