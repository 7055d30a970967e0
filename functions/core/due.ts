import type { CaseRecord, CaseStatus } from './case.js';
import type { RoutingConfig } from './config.js';
import { durationMs } from './duration.js';

/**
 * The one piece of work due on a case, for the sweeps: a sparse index (`dueWork` in
 * functions/adapters/access-patterns.ts, by `<at>#<caseId>`) holds only cases with something due, so a sweep reads what is due, never the
 * open cases. A case has at most one due item, decided by its status:
 * - `assigned` ▶ `accept`: the offer lapses acceptTimeout after the assignment;
 * - `on_hold` ▶ `hold`: the on-hold limit (onHoldMax) after the case was put on hold.
 * Every other status has nothing due (the SLA clock has its own timer: the workflow's Wait state).
 */
export const DUE_KINDS = { accept: 'accept', hold: 'hold' } as const;
export type DueKind = (typeof DUE_KINDS)[keyof typeof DUE_KINDS];

const after = (at: string, iso: string) => new Date(Date.parse(at) + durationMs(iso)).toISOString();

export function acceptDue(config: Pick<RoutingConfig, 'sweeps'>, at: string): NonNullable<CaseRecord['due']> {
  return { kind: DUE_KINDS.accept, at: after(at, config.sweeps.acceptTimeout) };
}

export function holdDue(config: Pick<RoutingConfig, 'sweeps'>, at: string): NonNullable<CaseRecord['due']> {
  return { kind: DUE_KINDS.hold, at: after(at, config.sweeps.onHoldMax) };
}

/** What is due on a case that enters `status` at `at`. */
export function dueFor(status: CaseStatus, config: Pick<RoutingConfig, 'sweeps'>, at: string): CaseRecord['due'] {
  if (status === 'assigned') return acceptDue(config, at);
  if (status === 'on_hold') return holdDue(config, at);
  return undefined;
}
