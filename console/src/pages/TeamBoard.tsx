import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../api/client';
import { useTeam } from '../components/Actions';
import { ErrorNote } from '../components/Errors';
import { ago } from '../lib/format';
import { useNow } from '../lib/hooks';
import { getPollMs } from '../lib/poll';

const CHANNELS = ['email', 'web', 'phone', 'chat'] as const;
const PRESENCES = ['online', 'away', 'offline'] as const;

/** Every agent with presence and load against capacity; polled, so presence changes show within seconds. */
export function TeamBoard() {
  const team = useTeam(getPollMs());
  const now = useNow();
  const client = useQueryClient();
  const [error, setError] = useState<unknown>();
  const setPresence = async (id: string, status: (typeof PRESENCES)[number]) => {
    setError(undefined);
    try {
      unwrap(await api().PUT('/agents/{id}/presence', { params: { path: { id } }, body: { status } }));
      await client.invalidateQueries({ queryKey: ['agents'] });
    } catch (e) {
      setError(e);
    }
  };
  return (
    <div>
      <h2>Team board</h2>
      <ErrorNote error={team.error ?? error} />
      <table aria-label="Agents">
        <thead>
          <tr>
            <th scope="col">Agent</th>
            <th scope="col">Presence</th>
            {CHANNELS.map((ch) => (
              <th key={ch} scope="col">
                {ch}
              </th>
            ))}
            <th scope="col">Open cases</th>
            <th scope="col">Queues</th>
            <th scope="col">Set presence</th>
          </tr>
        </thead>
        <tbody>
          {(team.data?.agents ?? []).map((a) => {
            const load = a.state.load ?? {};
            const open = Object.values(load).reduce((s, n) => s + n, 0);
            return (
              <tr key={a.id} data-agent={a.id}>
                <th scope="row">
                  {a.name} <span className="muted">({a.id})</span>
                </th>
                <td>
                  <span className={`badge presence-${a.state.presence}`} data-testid={`presence-${a.id}`}>
                    {a.state.presence}
                  </span>{' '}
                  <span className="muted">{ago(a.state.presenceSince, now)}</span>
                </td>
                {CHANNELS.map((ch) => {
                  const cap = a.capacity?.[ch] ?? 0;
                  const used = load[ch] ?? 0;
                  return (
                    <td key={ch} className={cap > 0 && used >= cap ? 'full' : ''}>
                      {cap > 0 ? (
                        <>
                          {used}/{cap} <meter min={0} max={cap} value={used} aria-label={`${a.name} ${ch} load`} />
                        </>
                      ) : (
                        '—'
                      )}
                    </td>
                  );
                })}
                <td>{open}</td>
                <td>{a.queues.join(', ')}</td>
                <td>
                  <select
                    aria-label={`Set presence of ${a.name}`}
                    value={a.state.presence}
                    onChange={(e) => setPresence(a.id, e.target.value as (typeof PRESENCES)[number])}
                  >
                    {PRESENCES.map((p) => (
                      <option key={p}>{p}</option>
                    ))}
                  </select>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
