import { useQueries } from '@tanstack/react-query';
import { api } from '../api/client';
import { useTeam } from '../components/Actions';
import { CaseTable } from '../components/CaseTable';
import { ErrorNote } from '../components/Errors';
import { conditionalGet } from '../lib/conditional';
import { duration } from '../lib/format';
import { useMe, useNow } from '../lib/hooks';
import { getPollMs } from '../lib/poll';
import { worst } from '../lib/sla';

/** Waiting cases of each queue in dispatch order (priority, then age): the API's queue listing order. */
function useQueued(queues: string[]) {
  return useQueries({
    queries: queues.map((queue) => ({
      queryKey: ['queue', queue],
      queryFn: () =>
        conditionalGet(['queue', queue], (header) => api().GET('/cases', { params: { query: { queue, status: 'queued' as never, limit: 100 }, header } })),
      refetchInterval: getPollMs(),
    })),
  });
}

/** Agents: the queues they are members of. */
export function MyQueues() {
  const me = useMe();
  const now = useNow();
  const queues = me.data?.queues ?? [];
  const results = useQueued(queues);
  return (
    <div>
      <h2>My queues</h2>
      <ErrorNote error={me.error} />
      {queues.length === 0 && me.data && <p className="muted">You are in no queue.</p>}
      {queues.map((q, i) => (
        <section key={q} aria-labelledby={`q-${q}`}>
          <h3 id={`q-${q}`}>
            {q} ({results[i]?.data?.items.length ?? '…'} waiting)
          </h3>
          <ErrorNote error={results[i]?.error} />
          <CaseTable cases={results[i]?.data?.items ?? []} now={now} label={`Waiting in ${q}`} />
        </section>
      ))}
    </div>
  );
}

/** Managers: every queue at a glance, waiting cases, oldest wait, SLA at risk. */
export function QueueBoard() {
  const team = useTeam(getPollMs());
  const now = useNow();
  const queues = (team.data?.queues ?? []).map((q) => q.id);
  const results = useQueued(queues);
  return (
    <div>
      <h2>Queue board</h2>
      <ErrorNote error={team.error} />
      <table aria-label="Queues">
        <thead>
          <tr>
            <th scope="col">Queue</th>
            <th scope="col">Waiting</th>
            <th scope="col">Oldest wait</th>
            <th scope="col">SLA at risk</th>
            <th scope="col">SLA breached</th>
            <th scope="col">Members online</th>
          </tr>
        </thead>
        <tbody>
          {(team.data?.queues ?? []).map((q, i) => {
            const items = results[i]?.data?.items ?? [];
            const oldest = items.reduce((min, c) => Math.min(min, Date.parse(c.createdAt)), Number.POSITIVE_INFINITY);
            const levels = items.map((c) => worst(c.sla, now));
            const online = (team.data?.agents ?? []).filter((a) => q.members.includes(a.id) && a.state.presence === 'online').length;
            return (
              <tr key={q.id}>
                <th scope="row">{q.name}</th>
                <td>{results[i]?.data ? `${items.length}${results[i]?.data?.cursor ? '+' : ''}` : '…'}</td>
                <td>{Number.isFinite(oldest) ? duration(now - oldest) : '—'}</td>
                <td className={levels.includes('warning') ? 'sla-warning' : ''}>{levels.filter((l) => l === 'warning').length}</td>
                <td className={levels.includes('breached') ? 'sla-breached' : ''}>{levels.filter((l) => l === 'breached').length}</td>
                <td>
                  {online} / {q.members.length}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {(team.data?.queues ?? []).map((q, i) => (
        <details key={q.id}>
          <summary>Waiting in {q.name}</summary>
          <CaseTable cases={results[i]?.data?.items ?? []} now={now} label={`Waiting in ${q.name}`} />
        </details>
      ))}
    </div>
  );
}
