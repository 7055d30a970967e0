/**
 * SLA countdowns from the case's SLA clock (the server's functions/core/sla.ts): each running
 * milestone has a projected breach instant (`dueAt`, already in business time: the server projects
 * the business time left onto the calendar) and warning instant (`warnAt`). Paused clocks keep
 * their business time left (`remainingMs`).
 */
export type SlaLevel = 'ok' | 'warning' | 'breached' | 'paused' | 'met' | 'met_late';

export interface Milestone {
  name: string;
  level: SlaLevel;
  /** Milliseconds to the breach (negative once past it), for running clocks. */
  leftMs?: number;
  label: string;
}

interface MilestoneClock {
  status?: string;
  dueAt?: string;
  warnAt?: string;
  remainingMs?: number;
  breachedAt?: string;
  completedAt?: string;
}

export function milestones(sla: unknown, now: number): Milestone[] {
  const clocks = ((sla ?? {}) as { milestones?: Record<string, MilestoneClock> }).milestones ?? {};
  return Object.entries(clocks).map(([name, m]) => {
    const label = name.replace(/_/g, ' ');
    if (m.status === 'met') return { name, level: 'met', label };
    if (m.status === 'met_late') return { name, level: 'met_late', label };
    if (m.status === 'paused') return { name, level: 'paused', label, ...(m.remainingMs !== undefined ? { leftMs: m.remainingMs } : {}) };
    const due = m.dueAt ? Date.parse(m.dueAt) : undefined;
    const leftMs = due !== undefined ? due - now : m.remainingMs;
    const breached = m.status === 'violated' || (leftMs !== undefined && leftMs <= 0);
    const warned = m.warnAt !== undefined && Date.parse(m.warnAt) <= now;
    return { name, level: breached ? 'breached' : warned ? 'warning' : 'ok', label, ...(leftMs !== undefined ? { leftMs } : {}) };
  });
}

/** The next deadline of a case: what "sorted by the next SLA deadline" sorts by. */
export function nextDeadline(sla: unknown): number {
  const clocks = ((sla ?? {}) as { milestones?: Record<string, MilestoneClock> }).milestones ?? {};
  let next = Number.POSITIVE_INFINITY;
  for (const m of Object.values(clocks)) {
    if ((m.status === 'active' || m.status === 'violated') && m.dueAt) next = Math.min(next, Date.parse(m.dueAt));
  }
  return next;
}

/** Worst state over the milestones (for lists). */
export function worst(sla: unknown, now: number): SlaLevel | undefined {
  const order: SlaLevel[] = ['breached', 'warning', 'ok', 'paused', 'met_late', 'met'];
  const levels = milestones(sla, now).map((m) => m.level);
  return order.find((l) => levels.includes(l));
}
