import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { useMe } from '../lib/hooks';

const STATES = ['online', 'away', 'offline'] as const;

/** Presence, always in the header: a radio group, one click (or arrow keys) to change. */
export function PresenceSwitch() {
  const me = useMe();
  const client = useQueryClient();
  const set = useMutation({
    mutationFn: async (status: (typeof STATES)[number]) => unwrap(await api().PUT('/agents/me/presence', { body: { status } })),
    onSuccess: () => client.invalidateQueries(),
  });
  if (me.isError) return <span className="presence">presence unavailable</span>;
  const current = set.isPending ? set.variables : me.data?.state.presence;
  return (
    <fieldset className="presence" aria-label="My presence">
      <legend className="sr-only">My presence</legend>
      {STATES.map((s) => (
        <label key={s} className={`presence-option presence-${s}${current === s ? ' selected' : ''}`}>
          <input type="radio" name="presence" value={s} checked={current === s} onChange={() => set.mutate(s)} disabled={!me.data} />
          {s}
        </label>
      ))}
      {set.isError && <span role="alert">{(set.error as Error).message}</span>}
    </fieldset>
  );
}
