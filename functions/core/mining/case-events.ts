import type { CaseEvent } from '../events.js';
import { ACTIVITIES, detailsOf } from '../events.js';
import type { MiningEvent } from './event-log.js';

/**
 * Our own case history as a process-mining event log.
 *
 * - activity: the event's activity; a status change names its target status
 *   (`status_changed:resolved`), since "status_changed" alone would merge every transition into
 *   one box of the process map.
 * - resource: the agent's id, or the system component. Customers appear as `customer`: their id
 *   is an email address, and an export handed to an analyst should not carry contact data.
 * - group: the queue the case was in at that moment, carried forward from the last event that
 *   named one, so handovers between queues can be counted.
 * - attributes: event id, actor kind and the scalar fields of `details` other than the queue (arrays
 *   and objects such as routing reasons are explanations, not dimensions to filter on, and are
 *   left out).
 */

export const RESERVED_COLUMNS = ['case_id', 'activity', 'timestamp', 'resource', 'queue'] as const;

export function activityOf(e: CaseEvent): string {
  const to = detailsOf(e, ACTIVITIES.statusChanged)?.to;
  if (typeof to === 'string') return `${e.activity}:${to}`;
  return e.activity;
}

export function resourceOf(e: CaseEvent): string {
  return e.actor.kind === 'customer' ? 'customer' : e.actor.id;
}

function scalarDetails(details: CaseEvent['details'] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(details ?? {})) {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') continue;
    // The queue is the event's group column already.
    if (key === 'queue') continue;
    const name = (RESERVED_COLUMNS as readonly string[]).includes(key) || key === 'event_id' || key === 'actor_kind' ? `details.${key}` : key;
    out[name] = String(value);
  }
  return out;
}

/** The queue an event's details name, whatever its activity (see miningEventsFromCaseEvents). */
function queueNamedBy(details: CaseEvent['details'] | undefined): string | undefined {
  for (const [key, value] of Object.entries(details ?? {})) if (key === 'queue' && typeof value === 'string') return value;
  return undefined;
}

/** Events of each case in time order (ties in input order), cases in order of first appearance. */
export function orderCaseEvents(events: readonly CaseEvent[]): CaseEvent[] {
  const byCase = new Map<string, CaseEvent[]>();
  for (const e of events) {
    const list = byCase.get(e.caseId) ?? [];
    list.push(e);
    byCase.set(e.caseId, list);
  }
  const out: CaseEvent[] = [];
  for (const list of byCase.values()) {
    out.push(
      ...list
        .map((e) => ({ e, t: Date.parse(e.at) }))
        .sort((a, b) => a.t - b.t)
        .map(({ e }) => e),
    );
  }
  return out;
}

export function miningEventsFromCaseEvents(events: readonly CaseEvent[]): MiningEvent[] {
  const queueOfCase = new Map<string, string>();
  return orderCaseEvents(events).map((e) => {
    // The log is mined as data: any stored event that names a queue (today's stamping, queueing,
    // assignments and reassignments, or an older version's event) moves the group on.
    const queue = queueNamedBy(e.details);
    if (queue !== undefined) queueOfCase.set(e.caseId, queue);
    const event: MiningEvent = {
      caseId: e.caseId,
      activity: activityOf(e),
      timestamp: Date.parse(e.at),
      resource: resourceOf(e),
      attributes: { event_id: e.eventId, actor_kind: e.actor.kind, ...scalarDetails(e.details) },
    };
    const group = queueOfCase.get(e.caseId);
    if (group !== undefined) event.group = group;
    return event;
  });
}
