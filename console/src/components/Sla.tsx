import { duration } from '../lib/format';
import { milestones, worst } from '../lib/sla';

/** One countdown per SLA milestone: amber once past the warning, red once breached. */
export function SlaCountdowns({ sla, now }: { sla: unknown; now: number }) {
  const list = milestones(sla, now);
  if (list.length === 0) return <p className="muted">No SLA applies to this case.</p>;
  return (
    <ul className="sla-list" aria-label="SLA milestones">
      {list.map((m) => (
        <li key={m.name} className={`sla sla-${m.level}`}>
          <strong>{m.label}</strong> {m.level === 'met' && <span>met</span>}
          {m.level === 'met_late' && <span>met late</span>}
          {m.level === 'paused' && <span>paused, {m.leftMs !== undefined ? duration(m.leftMs) : '?'} of business time left</span>}
          {(m.level === 'ok' || m.level === 'warning') && m.leftMs !== undefined && (
            <span>
              {duration(m.leftMs)} left{m.level === 'warning' ? ' (warning)' : ''}
            </span>
          )}
          {m.level === 'breached' && <span>breached{m.leftMs !== undefined ? ` ${duration(-m.leftMs)} ago` : ''}</span>}
        </li>
      ))}
    </ul>
  );
}

export function SlaBadge({ sla, now }: { sla: unknown; now: number }) {
  const level = worst(sla, now);
  if (!level) return <span className="muted">none</span>;
  const text = { ok: 'on track', warning: 'at risk', breached: 'breached', paused: 'paused', met: 'met', met_late: 'met late' }[level];
  return <span className={`badge sla-${level}`}>{text}</span>;
}
