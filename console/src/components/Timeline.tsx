import type { CaseEvent } from '../api/client';
import { when, words } from '../lib/format';
import { triagedLines } from '../lib/triage';

function summary(details: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(details)) {
    if (v === null || v === undefined || typeof v === 'object') continue;
    parts.push(`${words(k)}: ${String(v)}`);
    if (parts.length >= 4) break;
  }
  return parts.join(' · ');
}

export function Timeline({ events }: { events: CaseEvent[] }) {
  const sorted = [...events].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  return (
    <ol className="timeline">
      {sorted.map((e) => (
        <li key={e.eventId}>
          <time dateTime={e.at}>{when(e.at)}</time> <strong>{words(e.activity)}</strong>{' '}
          <span className="muted">
            by {e.actor.kind === 'system' ? 'the system' : e.actor.id}
            {e.activity !== 'triaged' && summary(e.details) ? ` — ${summary(e.details)}` : ''}
          </span>
          {e.activity === 'triaged' && (
            <ul className="triage-lines">
              {triagedLines(e.details).map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          )}
        </li>
      ))}
    </ol>
  );
}
