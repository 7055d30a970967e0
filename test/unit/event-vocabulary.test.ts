/**
 * The event vocabulary (functions/core/events.ts): one union of activities, typed details where
 * they are read back. The `@ts-expect-error` lines are checked by `tsc --noEmit` (in `npm test`): each
 * fails the build the day the mistake it shows compiles.
 */
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../functions/core/case.js';
import { ACTIVITIES, detailsOf, isActivity, makeEvent, SLA_ACTIVITIES } from '../../functions/core/events.js';
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
    const note = makeEvent(ids, 'c1', ACTIVITIES.noteAdded, AT, SYS);

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
    const event = makeEvent(ids, 'c1', ACTIVITIES.reassigned, AT, SYS, { from: 'alice', to: 'bob' });
    // @ts-expect-error: `reassigned` names the new owner `to`
    expect(detailsOf(event, ACTIVITIES.reassigned)?.owner).toBeUndefined();
    // At run time the function itself does not check: the types are the guard.
    expect([typo.activity, renamed.details, bare.details, status.details.to]).toEqual(['asigned', { agent: 'alice' }, {}, 'done']);
  });
});
