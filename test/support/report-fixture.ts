/**
 * The event log the reports are checked against: test/unit/reports.test.ts computes every figure by
 * hand from it (the arithmetic is in its comments); test/integration/reports.test.ts loads it into
 * DynamoDB Local and asks the reports handler for the same figures.
 *
 * The week: Monday 2025-03-03 … Sunday 2025-03-09 (ISO week 2025-W10), UTC. The report is made on
 * Monday 2025-03-10 at 12:00, so the period's window is [03-03 00:00, 03-10 00:00).
 *
 * One calendar, `office`: Monday–Friday 09:00–17:00 UTC (8 h = 480 min a working day, none at the
 * weekend). Every case's SLA clock and every agent use it.
 *
 * Agents (capacity = all channels): alice 4 (email 2 + web 2), bob 2, carol 2; mona is a manager
 * with no capacity.
 *
 * Cases (type, channel, queue as they are now; the story of each is with its events):
 *   A billing   web    support  resolved             created Mon 09:00
 *   B technical email  support  resolved             created Mon 16:00
 *   C billing   web    support  in_progress (open)   created Fri 02-28 10:00, before the period
 *   D billing   email  billing  closed_unresolved    created Tue 09:00
 *   E technical web    billing  in_progress (open)   created Wed 10:00
 *   F billing   web    billing  queued (open)        created Thu 09:00
 *   G technical email  support  resolved (twice)     created Thu 09:00
 */
import type { Actor, CaseRecord, CaseStatus } from '../../functions/core/case.js';
import type { Activity, CaseEvent } from '../../functions/core/events.js';
import type { Channel } from '../../functions/core/config.js';
import { parseRoutingConfig } from '../../functions/core/config.js';
import { parsePeriod } from '../../functions/core/reports/period.js';
import { makeCase, storedEvent } from './fixtures.js';

export const REPORT_CONFIG = parseRoutingConfig({
  businessHours: [
    {
      id: 'office',
      timezone: 'UTC',
      weekly: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [{ start: '09:00', end: '17:00' }]])),
    },
  ],
  queues: [
    { id: 'support', name: 'Support', members: ['alice', 'bob'] },
    { id: 'billing', name: 'Billing', members: ['alice', 'bob', 'carol'] },
  ],
  agents: [
    { id: 'alice', name: 'Alice', email: 'alice@example.com', capacity: { email: 2, web: 2 }, businessHours: 'office' },
    { id: 'bob', name: 'Bob', email: 'bob@example.com', capacity: { email: 1, web: 1 }, businessHours: 'office' },
    { id: 'carol', name: 'Carol', email: 'carol@example.com', capacity: { email: 1, web: 1 }, businessHours: 'office' },
    { id: 'mona', name: 'Mona', email: 'mona@example.com', roles: ['agent', 'manager'] },
  ],
  slaPolicies: [
    {
      id: 'standard',
      businessHours: 'office',
      firstResponse: { high: 'PT4H', medium: 'PT1H', low: 'PT8H' },
      resolution: { high: 'P1D', medium: 'P3D', low: 'P5D' },
    },
  ],
});

const CUSTOMER: Actor = { kind: 'customer', id: 'customer@example.org' };
const SYSTEM: Actor = { kind: 'system', id: 'caseflow' };
const agent = (id: string): Actor => ({ kind: 'agent', id });

/** `Mon 09:00` ▶ 2025-03-03T09:00:00.000Z; also `Fri0228`, `Mon0310`. */
const DAYS: Record<string, string> = {
  Fri0228: '2025-02-28',
  Mon: '2025-03-03',
  Tue: '2025-03-04',
  Wed: '2025-03-05',
  Thu: '2025-03-06',
  Fri: '2025-03-07',
  Mon0310: '2025-03-10',
};
export const at = (when: string) => {
  const [day, time] = when.split(' ');
  return `${DAYS[day!]}T${time}:00.000Z`;
};

let seq = 0;
export const EVENTS: CaseEvent[] = [];
function ev(caseId: string, when: string, activity: Activity, actor: Actor, details: Record<string, unknown> = {}): void {
  EVENTS.push(storedEvent({ eventId: `e${String(++seq).padStart(3, '0')}`, caseId, activity, at: at(when), actor, details }));
}

function kase(
  caseId: string,
  fields: { type: string; channel: Channel; queue: string; status: CaseStatus; priority: string; created: string; owner?: string; territory?: string },
): CaseRecord {
  return makeCase({
    caseId,
    type: fields.type,
    channel: fields.channel,
    queue: fields.queue,
    status: fields.status,
    priority: fields.priority,
    territory: fields.territory ?? 'uk',
    createdAt: at(fields.created),
    updatedAt: at(fields.created),
    ...(fields.owner ? { owner: fields.owner } : {}),
    sla: { policyId: 'standard', calendar: 'office', priority: fields.priority, milestones: {}, generation: 1, updatedAt: at(fields.created) },
  });
}

// --- A: handled by alice on Monday morning, one reply, a short hold, resolved: first-contact resolution.
ev('A', 'Mon 09:00', 'case_created', CUSTOMER, { channel: 'web' });
ev('A', 'Mon 09:00', 'assigned', SYSTEM, { owner: 'alice', queue: 'support' });
ev('A', 'Mon 09:30', 'accepted', agent('alice'), { from: 'assigned', to: 'in_progress' });
ev('A', 'Mon 10:00', 'reply_sent', agent('alice'), { channel: 'web' });
ev('A', 'Mon 10:00', 'sla_milestone_met', SYSTEM, { milestone: 'first_response' });
ev('A', 'Mon 10:15', 'put_on_hold', agent('alice'), { from: 'in_progress', to: 'on_hold', reason: 'asked finance' });
ev('A', 'Mon 10:45', 'resumed', agent('alice'), { from: 'on_hold', to: 'in_progress' });
ev('A', 'Mon 11:00', 'resolved', agent('alice'), { from: 'in_progress', to: 'resolved' });
ev('A', 'Mon 11:00', 'capacity_released', agent('alice'), { agent: 'alice', channel: 'web' });
ev('A', 'Mon 11:00', 'sla_milestone_met', SYSTEM, { milestone: 'resolution' });

// --- B: bob, created an hour before closing; first response late (warned, breached, escalated), a
// customer follow-up, a second reply, a day on hold, resolved Wednesday.
ev('B', 'Mon 16:00', 'case_created', CUSTOMER, { channel: 'email' });
ev('B', 'Mon 16:00', 'assigned', SYSTEM, { owner: 'bob', queue: 'support' });
ev('B', 'Mon 16:30', 'accepted', agent('bob'), { from: 'assigned', to: 'in_progress' });
ev('B', 'Mon 16:30', 'sla_warning', SYSTEM, { milestone: 'first_response' });
ev('B', 'Mon 17:00', 'sla_milestone_violated', SYSTEM, { milestone: 'first_response' });
ev('B', 'Mon 17:00', 'sla_escalated', SYSTEM, { milestone: 'first_response', level: 1 });
ev('B', 'Tue 10:00', 'reply_sent', agent('bob'), { channel: 'email' });
ev('B', 'Tue 10:00', 'sla_milestone_met_late', SYSTEM, { milestone: 'first_response' });
ev('B', 'Tue 11:00', 'message_received', CUSTOMER, { channel: 'email' });
ev('B', 'Tue 12:00', 'reply_sent', agent('bob'), { channel: 'email' });
ev('B', 'Tue 12:00', 'put_on_hold', agent('bob'), { from: 'in_progress', to: 'on_hold', reason: 'waiting for logs' });
ev('B', 'Wed 12:00', 'resumed', agent('bob'), { from: 'on_hold', to: 'in_progress' });
ev('B', 'Wed 15:00', 'resolved', agent('bob'), { from: 'in_progress', to: 'resolved' });
ev('B', 'Wed 15:00', 'capacity_released', agent('bob'), { agent: 'bob', channel: 'email' });
ev('B', 'Wed 15:00', 'sla_milestone_met', SYSTEM, { milestone: 'resolution' });

// --- C: created and answered before the period; alice holds it all week, on hold from Monday 09:00
// until the Monday after (03-10 10:00, after the period: that event is ignored).
ev('C', 'Fri0228 10:00', 'case_created', CUSTOMER, { channel: 'web' });
ev('C', 'Fri0228 10:00', 'queued', SYSTEM, { queue: 'support' });
ev('C', 'Fri0228 11:00', 'assigned', SYSTEM, { owner: 'alice', queue: 'support' });
ev('C', 'Fri0228 11:05', 'accepted', agent('alice'), { from: 'assigned', to: 'in_progress' });
ev('C', 'Fri0228 11:30', 'reply_sent', agent('alice'), { channel: 'web' });
ev('C', 'Fri0228 11:30', 'sla_milestone_met', SYSTEM, { milestone: 'first_response' });
ev('C', 'Mon 09:00', 'put_on_hold', agent('alice'), { from: 'in_progress', to: 'on_hold', reason: 'customer on holiday' });
ev('C', 'Mon0310 10:00', 'resumed', agent('alice'), { from: 'on_hold', to: 'in_progress' });

// --- D: declined by carol, requeued by bob, closed unresolved by alice from hold.
ev('D', 'Tue 09:00', 'case_created', CUSTOMER, { channel: 'email' });
ev('D', 'Tue 09:00', 'assigned', SYSTEM, { owner: 'carol', queue: 'billing' });
ev('D', 'Tue 09:10', 'declined', agent('carol'), { from: 'assigned', to: 'queued', agent: 'carol' });
ev('D', 'Tue 09:10', 'capacity_released', agent('carol'), { agent: 'carol', channel: 'email' });
ev('D', 'Tue 09:10', 'assigned', SYSTEM, { owner: 'bob', queue: 'billing' });
ev('D', 'Tue 09:20', 'accepted', agent('bob'), { from: 'assigned', to: 'in_progress' });
ev('D', 'Tue 09:40', 'requeued', agent('bob'), { from: 'in_progress', to: 'queued' });
ev('D', 'Tue 09:40', 'capacity_released', agent('bob'), { agent: 'bob', channel: 'email' });
ev('D', 'Tue 09:40', 'assigned', SYSTEM, { owner: 'alice', queue: 'billing' });
ev('D', 'Tue 10:00', 'accepted', agent('alice'), { from: 'assigned', to: 'in_progress' });
ev('D', 'Tue 10:30', 'reply_sent', agent('alice'), { channel: 'email' });
ev('D', 'Tue 10:30', 'sla_milestone_met', SYSTEM, { milestone: 'first_response' });
ev('D', 'Tue 11:00', 'put_on_hold', agent('alice'), { from: 'in_progress', to: 'on_hold', reason: 'waiting for the customer' });
ev('D', 'Tue 13:00', 'closed_unresolved', agent('alice'), { from: 'on_hold', to: 'closed_unresolved', comment: 'no answer' });
ev('D', 'Tue 13:00', 'capacity_released', agent('alice'), { agent: 'alice', channel: 'email' });
ev('D', 'Tue 13:00', 'sla_milestone_met', SYSTEM, { milestone: 'resolution', by: 'case closed_unresolved' });

// --- E: declined by carol, given to bob, requeued by the manager mona and given to bob again (a
// reassignment that is not a handover). Still open.
ev('E', 'Wed 10:00', 'case_created', CUSTOMER, { channel: 'web' });
ev('E', 'Wed 10:00', 'assigned', SYSTEM, { owner: 'carol', queue: 'billing' });
ev('E', 'Wed 10:05', 'declined', agent('carol'), { from: 'assigned', to: 'queued', agent: 'carol' });
ev('E', 'Wed 10:05', 'capacity_released', agent('carol'), { agent: 'carol', channel: 'web' });
ev('E', 'Wed 10:05', 'assigned', SYSTEM, { owner: 'bob', queue: 'billing' });
ev('E', 'Wed 10:30', 'requeued', agent('mona'), { from: 'assigned', to: 'queued' });
ev('E', 'Wed 10:30', 'capacity_released', agent('mona'), { agent: 'bob', channel: 'web' });
ev('E', 'Wed 10:30', 'assigned', SYSTEM, { owner: 'bob', queue: 'billing' });
ev('E', 'Wed 10:40', 'accepted', agent('bob'), { from: 'assigned', to: 'in_progress' });

// --- F: declined by carol a minute after assignment; nobody else free: it waits in the queue.
ev('F', 'Thu 09:00', 'case_created', CUSTOMER, { channel: 'web' });
ev('F', 'Thu 09:00', 'assigned', SYSTEM, { owner: 'carol', queue: 'billing' });
ev('F', 'Thu 09:01', 'declined', agent('carol'), { from: 'assigned', to: 'queued', agent: 'carol' });
ev('F', 'Thu 09:01', 'capacity_released', agent('carol'), { agent: 'carol', channel: 'web' });
ev('F', 'Thu 09:01', 'queued', SYSTEM, { queue: 'billing' });

// --- G: alice resolves it at 10:00; the customer writes back at 14:00, which reopens it to alice;
// resolved again at 15:00.
ev('G', 'Thu 09:00', 'case_created', CUSTOMER, { channel: 'email' });
ev('G', 'Thu 09:00', 'assigned', SYSTEM, { owner: 'alice', queue: 'support' });
ev('G', 'Thu 09:05', 'accepted', agent('alice'), { from: 'assigned', to: 'in_progress' });
ev('G', 'Thu 09:12', 'reply_sent', agent('alice'), { channel: 'email' });
ev('G', 'Thu 09:12', 'sla_milestone_met', SYSTEM, { milestone: 'first_response' });
ev('G', 'Thu 10:00', 'resolved', agent('alice'), { from: 'in_progress', to: 'resolved' });
ev('G', 'Thu 10:00', 'capacity_released', agent('alice'), { agent: 'alice', channel: 'email' });
ev('G', 'Thu 10:00', 'sla_milestone_met', SYSTEM, { milestone: 'resolution' });
ev('G', 'Thu 14:00', 'message_received', CUSTOMER, { channel: 'email' });
ev('G', 'Thu 14:00', 'reopened', CUSTOMER, { from: 'resolved', to: 'in_progress', owner: 'alice', cause: 'customer_reply' });
ev('G', 'Thu 14:00', 'sla_milestone_reopened', SYSTEM, { milestone: 'resolution' });
ev('G', 'Thu 15:00', 'resolved', agent('alice'), { from: 'in_progress', to: 'resolved' });
ev('G', 'Thu 15:00', 'capacity_released', agent('alice'), { agent: 'alice', channel: 'email' });
ev('G', 'Thu 15:00', 'sla_milestone_met', SYSTEM, { milestone: 'resolution' });

// An event of a case the report was not given: ignored.
ev('Z', 'Tue 12:00', 'case_created', CUSTOMER, { channel: 'web' });

export const CASES: CaseRecord[] = [
  kase('A', { type: 'billing', channel: 'web', queue: 'support', status: 'resolved', priority: 'high', created: 'Mon 09:00', owner: 'alice' }),
  kase('B', { type: 'technical', channel: 'email', queue: 'support', status: 'resolved', priority: 'medium', created: 'Mon 16:00', owner: 'bob' }),
  kase('C', {
    type: 'billing',
    channel: 'web',
    queue: 'support',
    status: 'in_progress',
    priority: 'low',
    created: 'Fri0228 10:00',
    owner: 'alice',
    territory: 'ie',
  }),
  kase('D', { type: 'billing', channel: 'email', queue: 'billing', status: 'closed_unresolved', priority: 'high', created: 'Tue 09:00', owner: 'alice' }),
  kase('E', { type: 'technical', channel: 'web', queue: 'billing', status: 'in_progress', priority: 'medium', created: 'Wed 10:00', owner: 'bob' }),
  kase('F', { type: 'billing', channel: 'web', queue: 'billing', status: 'queued', priority: 'medium', created: 'Thu 09:00' }),
  kase('G', { type: 'technical', channel: 'email', queue: 'support', status: 'resolved', priority: 'medium', created: 'Thu 09:00', owner: 'alice' }),
];
export const OPEN = CASES.filter((c) => ['C', 'E', 'F'].includes(c.caseId));

export const PERIOD = parsePeriod('2025-03-03', '2025-03-09');
export const AS_OF = '2025-03-10T12:00:00.000Z';
