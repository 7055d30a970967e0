import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { Case } from '../api/client';
import { api, unwrap } from '../api/client';
import { CaseTable } from '../components/CaseTable';
import { ErrorNote } from '../components/Errors';
import { duration, when } from '../lib/format';
import { conditionalGet } from '../lib/conditional';
import { useNow } from '../lib/hooks';
import { getPollMs } from '../lib/poll';
import { nextDeadline } from '../lib/sla';
import { navigate } from '../router';

export function useMyWork() {
  return useQuery({
    queryKey: ['my-work'],
    queryFn: () =>
      conditionalGet(['my-work'], (header) =>
        api().GET('/cases', { params: { query: { owner: 'me', status: 'assigned,in_progress,on_hold' as never, limit: 100 }, header } }),
      ),
    refetchInterval: getPollMs(),
  });
}

const byDeadline = (a: Case, b: Case) => nextDeadline(a.sla) - nextDeadline(b.sla) || a.createdAt.localeCompare(b.createdAt);

function OfferActions({ c }: { c: Case }) {
  const client = useQueryClient();
  const [error, setError] = useState<unknown>();
  const act = async (what: 'accept' | 'decline') => {
    setError(undefined);
    try {
      const params = { params: { path: { id: c.caseId }, header: { 'If-Match': `"${c.version}"` } } };
      if (what === 'accept') unwrap(await api().POST('/cases/{id}/accept', params));
      else unwrap(await api().POST('/cases/{id}/decline', { ...params, body: {} }));
      await client.invalidateQueries();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <span className="row">
      <button type="button" className="primary" onClick={() => act('accept')} aria-label={`Accept case ${c.caseNumber}`}>
        Accept
      </button>
      <button type="button" onClick={() => act('decline')} aria-label={`Decline case ${c.caseNumber}`}>
        Decline
      </button>
      <ErrorNote error={error} />
    </span>
  );
}

export function MyWork() {
  const work = useMyWork();
  const now = useNow();
  const client = useQueryClient();
  const next = useMutation({
    mutationFn: async () => unwrap(await api().POST('/agents/me/next')),
    onSuccess: (result) => {
      void client.invalidateQueries();
      if (result.case) navigate(`/cases/${result.case.caseId}`);
    },
  });
  const items = work.data?.items ?? [];
  const offered = items.filter((c) => c.status === 'assigned').sort(byDeadline);
  const inProgress = items.filter((c) => c.status === 'in_progress').sort(byDeadline);
  const onHold = items.filter((c) => c.status === 'on_hold').sort(byDeadline);
  return (
    <div>
      <div className="row page-head">
        <h2>My work</h2>
        <button type="button" className="primary" onClick={() => next.mutate()} disabled={next.isPending}>
          Next case
        </button>
        {next.data && !next.data.case && <span role="status">{next.data.message ?? 'Nothing is waiting.'}</span>}
      </div>
      <ErrorNote error={work.error ?? next.error} />
      <section aria-labelledby="offered-h">
        <h3 id="offered-h">Offered to me ({offered.length})</h3>
        <div aria-live="polite">
          <CaseTable
            cases={offered}
            now={now}
            label="Offered"
            extra={(c) => {
              const due = (c as { due?: { kind: string; at: string } }).due;
              return (
                <>
                  {due?.kind === 'accept' && <span className="muted">{duration(Date.parse(due.at) - now)} left </span>}
                  <OfferActions c={c} />
                </>
              );
            }}
          />
        </div>
      </section>
      <section aria-labelledby="progress-h">
        <h3 id="progress-h">In progress ({inProgress.length})</h3>
        <CaseTable cases={inProgress} now={now} label="In progress" />
      </section>
      <section aria-labelledby="hold-h">
        <h3 id="hold-h">On hold ({onHold.length})</h3>
        <CaseTable
          cases={onHold}
          now={now}
          label="On hold"
          extraLabel="Held"
          extra={(c) => (c.hold ? `${c.hold.until ? `until ${when(c.hold.until)}` : 'no date set'}: ${c.hold.reason}` : '')}
        />
      </section>
    </div>
  );
}
