/**
 * The event vocabulary (functions/core/events.ts): one union of activities, typed details where
 * they are read back. The `@ts-expect-error` lines are checked by `tsc --noEmit` (in `npm test`): each
 * fails the build the day the mistake it shows compiles.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Actor, CaseStatus } from '../../functions/core/case.js';
import type { Activity, ActivityDetails, CaseEvent, MissingDetails, MustBeNever } from '../../functions/core/events.js';
import {
  ACTIVITIES,
  detailsOf,
  eventOfDraft,
  isActivity,
  makeEvent,
  SLA_ACTIVITIES,
  SLA_MILESTONE_ACTIVITIES,
  STATUS_CHANGE_ACTIVITIES,
} from '../../functions/core/events.js';
import { sequentialIds } from '../support/fixtures.js';

const AT = '2025-03-03T09:00:00.000Z';
const SYS: Actor = { kind: 'system', id: 'caseflow' };

describe('the event vocabulary', () => {
  it('is one set of distinct names, the SLA clock included', () => {
    const names = Object.values(ACTIVITIES);
    expect(new Set(names).size).toBe(names.length);
    for (const name of Object.values(SLA_ACTIVITIES)) expect(isActivity(name)).toBe(true);
    expect(isActivity('assigned')).toBe(true);
    expect(isActivity('asigned')).toBe(false);
  });

  it('makes events with typed details and reads them back by activity', () => {
    const ids = sequentialIds('e');
    const assigned = makeEvent(ids, 'c1', ACTIVITIES.assigned, AT, SYS, { owner: 'alice', queue: 'support' });
    const released = makeEvent(ids, 'c1', ACTIVITIES.released, AT, SYS, { agent: 'alice', channel: 'web' });
    const note = makeEvent(ids, 'c1', ACTIVITIES.configApplied, AT, SYS);

    expect(detailsOf(assigned, ACTIVITIES.assigned)?.owner).toBe('alice');
    expect(detailsOf(assigned, ACTIVITIES.released)).toBeUndefined();
    expect(detailsOf(released, ACTIVITIES.released)?.agent).toBe('alice');
    expect(note.details).toEqual({});
    expect([assigned.eventId, released.eventId, note.eventId]).toEqual(['e-0001', 'e-0002', 'e-0003']);
  });

  it('refuses free strings and misnamed details at compile time', () => {
    const ids = sequentialIds('e');
    // @ts-expect-error: not an activity of the vocabulary
    const typo = makeEvent(ids, 'c1', 'asigned', AT, SYS);
    // @ts-expect-error: `assigned` carries its owner as `owner`
    const renamed = makeEvent(ids, 'c1', ACTIVITIES.assigned, AT, SYS, { agent: 'alice' });
    // @ts-expect-error: an activity with typed details must be given them
    const bare = makeEvent(ids, 'c1', ACTIVITIES.released, AT, SYS);
    // @ts-expect-error: a status change names the new status `to`, and it must be a status
    const status = makeEvent(ids, 'c1', ACTIVITIES.resolved, AT, SYS, { from: 'in_progress', to: 'done' });
    const event = makeEvent(ids, 'c1', ACTIVITIES.reassigned, AT, SYS, { cause: 'manual', reason: 'holiday', from: 'alice', to: 'bob' });
    // @ts-expect-error: `reassigned` names the new owner `to`
    expect(detailsOf(event, ACTIVITIES.reassigned)?.owner).toBeUndefined();
    // At run time the function itself does not check: the types are the guard.
    expect([typo.activity, renamed.details, bare.details, status.details.to]).toEqual(['asigned', { agent: 'alice' }, {}, 'done']);
  });

  it('refuses a misspelt or unknown detail key for every activity, a union of activities included', () => {
    const ids = sequentialIds('e');
    // @ts-expect-error: `note_added` records the note's `length`, not `lenght`
    const note = makeEvent(ids, 'c1', ACTIVITIES.noteAdded, AT, SYS, { messageId: 'm1', role: 'agent', lenght: 3 });
    // @ts-expect-error: `swarm_joined` has no `reason`
    const joined = makeEvent(ids, 'c1', ACTIVITIES.swarmJoined, AT, SYS, { swarmId: 's1', reason: 'on leave' });
    const failed = Math.random() > 2;
    const notified = makeEvent(ids, 'c1', failed ? ACTIVITIES.notificationFailed : ACTIVITIES.swarmNotified, AT, SYS, {
      channel: 'slack',
      swarmId: 's1',
      sent: true,
      // @ts-expect-error: neither `swarm_notified` nor `notification_failed` carries `recipients`
      recipients: [],
    });
    // @ts-expect-error: an activity whose details are empty takes no keys
    const applied = makeEvent(ids, 'c1', ACTIVITIES.configApplied, AT, SYS, { version: 3 });
    // @ts-expect-error: an SLA draft's details are the activity's own (a paused clock records remainingMs, not dueAt)
    const paused = eventOfDraft(ids, 'c1', AT, SYS, { activity: SLA_ACTIVITIES.slaPaused, details: { milestone: 'resolution', dueAt: AT } });
    expect([note, joined, notified, applied, paused].map((e) => e.activity)).toEqual([
      'note_added',
      'swarm_joined',
      'swarm_notified',
      'config_applied',
      'sla_clock_paused',
    ]);
  });

  it('fails to compile when an activity has no details entry', () => {
    // Every activity of ACTIVITIES has one (events.ts checks this itself: EveryActivityHasDetails).
    const complete: MustBeNever<MissingDetails<Activity, ActivityDetails>> | undefined = undefined;
    // An activity added to the vocabulary without a details entry is named by the error.
    const MORE = { ...ACTIVITIES, escalatedToLegal: 'escalated_to_legal' } as const;
    type MoreActivity = (typeof MORE)[keyof typeof MORE];
    // @ts-expect-error: 'escalated_to_legal' does not satisfy the constraint 'never'
    const incomplete: MustBeNever<MissingDetails<MoreActivity, ActivityDetails>> | undefined = undefined;
    expectTypeOf<MissingDetails<MoreActivity, ActivityDetails>>().toEqualTypeOf<'escalated_to_legal'>();
    expect([complete, incomplete, MORE.escalatedToLegal]).toEqual([undefined, undefined, 'escalated_to_legal']);
  });

  it('types what a reader gets: the partial view by activity, and the event narrowed on its activity', () => {
    const ids = sequentialIds('e');
    const events: CaseEvent[] = [
      makeEvent(ids, 'c1', ACTIVITIES.resolved, AT, SYS, { from: 'in_progress', to: 'resolved', comment: 'fixed' }),
      makeEvent(ids, 'c1', ACTIVITIES.released, AT, SYS, { agent: 'alice', channel: 'email' }),
      makeEvent(ids, 'c1', SLA_ACTIVITIES.slaWarning, AT, SYS, { milestone: 'first_response', dueAt: AT, remainingMs: 60_000, notify: [], reason: 'r' }),
    ];
    const [resolved, released, warning] = events as [CaseEvent, CaseEvent, CaseEvent];

    const status = detailsOf(resolved, ...STATUS_CHANGE_ACTIVITIES);
    expectTypeOf(status?.to).toEqualTypeOf<CaseStatus | undefined>();
    expect(status?.to).toBe('resolved');
    expectTypeOf(detailsOf(released, ACTIVITIES.released)?.agent).toEqualTypeOf<string | undefined>();
    expect(detailsOf(released, ...STATUS_CHANGE_ACTIVITIES)).toBeUndefined();
    expect(detailsOf(warning, ...SLA_MILESTONE_ACTIVITIES)?.milestone).toBe('first_response');
    // @ts-expect-error: a capacity release names the `agent`, not the `owner`
    expect(detailsOf(released, ACTIVITIES.released)?.owner).toBeUndefined();

    const agents: string[] = [];
    for (const e of events) {
      if (e.activity === ACTIVITIES.released) {
        expectTypeOf(e.details.agent).toEqualTypeOf<string>();
        agents.push(e.details.agent);
      }
    }
    expect(agents).toEqual(['alice']);
    // A stored event of an older version may lack a field: the partial view says so, the reader checks.
    const legacy = { activity: ACTIVITIES.assigned, details: { queue: 'support' } } as const;
    expect(detailsOf(legacy, ACTIVITIES.assigned)?.owner).toBeUndefined();
    expect(detailsOf({ activity: ACTIVITIES.assigned }, ACTIVITIES.assigned)).toEqual({});
  });

  it('lists activities by the details they carry, each list checked against the details types', () => {
    for (const activity of STATUS_CHANGE_ACTIVITIES) expect(isActivity(activity)).toBe(true);
    expect(new Set([...SLA_MILESTONE_ACTIVITIES, SLA_ACTIVITIES.slaStarted, SLA_ACTIVITIES.slaStopped])).toEqual(new Set(Object.values(SLA_ACTIVITIES)));
  });
});
