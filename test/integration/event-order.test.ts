/**
 * Cause before effect in the event log: a status change (or a priority change, or a reopening) and
 * what it does to the SLA clock (paused, resumed, met, reopened, targets recomputed) are written in
 * one transaction, at the same instant; the change must come first for every reader — the case's
 * history (sort key order), the events-by-day index (timestamp, then sort key) and the process-mining
 * export built from it — or a process map shows the clock pausing before the case went on hold.
 *
 * Property-based, through the real store: fast-check walks each case through random sequences of the
 * changes an agent can make (on hold, resume, resolve, close, reopen, change priority), with the real
 * workflow having started the case's SLA clock, production's ULID ids, and DynamoDB Local.
 */
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { makeReportReader } from '../../functions/adapters/report-reader.js';
import type { Principal } from '../../functions/core/authz.js';
import type { CaseStatus } from '../../functions/core/case.js';
import type { CaseEvent } from '../../functions/core/events.js';
import { parseRoutingConfig } from '../../functions/core/config.js';
import { ACTIVITIES } from '../../functions/core/events.js';
import { parsePeriod } from '../../functions/core/reports/period.js';
import { SLA_ACTIVITIES } from '../../functions/core/events.js';
import { makeExportEvents } from '../../functions/core/use-cases/reports.js';
import type { AppDeps } from '../../functions/composition/deps.js';
import { makeAppDeps } from '../../functions/composition/deps.js';
import { makeUseCases } from '../../functions/composition/use-cases.js';
import type { LocalWorkflow } from '../../lib/local/stepfunctions/workflow.js';
import { makeLocalWorkflow } from '../../lib/local/stepfunctions/workflow.js';
import { freshTable } from '../support/dynamo.js';
import { makeCreateCommand, makeRoutingConfigInput } from '../support/fixtures.js';

const db = await freshTable('event-order');

let workflow: LocalWorkflow | undefined;
const deps: AppDeps = makeAppDeps({
  table: db.table,
  alerts: { publish: async () => undefined },
  notifier: { notify: async () => undefined },
  workflow: { startCase: (caseId, o) => workflow!.starter.startCase(caseId, o) },
});
workflow = makeLocalWorkflow({ deps, retryIntervalOverrides: 5 });
afterAll(async () => workflow?.stop());

await deps.configs.put(
  parseRoutingConfig(
    makeRoutingConfigInput({
      agents: [
        { id: 'alice', name: 'Alice', email: 'alice@example.com', capacity: { web: 50 } },
        { id: 'mona', name: 'Mona', email: 'mona@example.com', roles: ['agent', 'manager'] },
      ],
      queues: [{ id: 'support', name: 'Support', routing: 'least_busy', members: ['alice'] }],
      // Long targets: the clock only reacts to the changes below, never on its own during a run.
      slaPolicies: [{ id: 'standard', firstResponse: { medium: 'PT4H', high: 'PT4H', critical: 'PT4H', low: 'PT4H' }, resolution: { medium: 'P3D' } }],
    }),
  ),
  0,
  'event-order-test',
  new Date().toISOString(),
);
await deps.agentStates.setPresence('alice', 'online', new Date().toISOString());

const alice: Principal = { agentId: 'alice', roles: ['agent'] };
const mona: Principal = { agentId: 'mona', roles: ['agent', 'manager'] };
const uc = makeUseCases(deps);

/** A web case from GB, routed to alice by the real workflow, its SLA clock started, accepted. */
async function acceptedCase(): Promise<string> {
  const now = new Date().toISOString();
  const created = await deps.cases.create(
    makeCreateCommand({
      channel: 'web',
      createdAt: now,
      updatedAt: now,
      location: { country: 'GB' },
      account: undefined,
      contact: { email: `c${Date.now()}@example.org` },
    }),
  );
  if (!created.created) throw new Error('not created');
  await workflow!.starter.startCase(created.case.caseId);
  await workflow!.waitFor(created.case.caseId, { until: 'WaitForSlaDeadline' });
  await uc.workCase.accept(alice, created.case.caseId);
  return created.case.caseId;
}

type Move = { kind: 'status'; to: CaseStatus } | { kind: 'priority'; to: string };

/** What an agent can do next from each status (the status machine allows more; these are the clock's causes). */
const NEXT: Partial<Record<CaseStatus, Move[]>> = {
  in_progress: [
    { kind: 'status', to: 'on_hold' },
    { kind: 'status', to: 'resolved' },
    { kind: 'status', to: 'closed_unresolved' },
    { kind: 'priority', to: 'high' },
    { kind: 'priority', to: 'low' },
  ],
  on_hold: [
    { kind: 'status', to: 'in_progress' },
    { kind: 'status', to: 'resolved' },
    { kind: 'priority', to: 'critical' },
  ],
  resolved: [{ kind: 'status', to: 'in_progress' }],
  closed_unresolved: [{ kind: 'status', to: 'in_progress' }],
};

async function play(caseId: string, choices: number[]): Promise<void> {
  for (const choice of choices) {
    const c = (await deps.cases.get(caseId))!;
    const moves = (NEXT[c.status] ?? []).filter((m) => m.kind === 'status' || m.to !== c.priority);
    if (moves.length === 0) return;
    const move = moves[choice % moves.length]!;
    if (move.kind === 'priority') await uc.caseUpdates.changePriority(mona, caseId, { priority: move.to, reason: 'test' });
    else {
      const extra = move.to === 'on_hold' ? { reason: 'waiting' } : move.to === 'closed_unresolved' ? { comment: 'no answer' } : {};
      await uc.workCase.changeStatus(alice, caseId, { status: move.to, ...extra } as Parameters<typeof uc.workCase.changeStatus>[2]);
    }
  }
}

const CLOCK = new Set<string>(Object.values(SLA_ACTIVITIES));
/** What the agent did: the events whose consequences the clock records in the same write. */
const CAUSES = new Set<string>([
  ACTIVITIES.accepted,
  ACTIVITIES.putOnHold,
  ACTIVITIES.resumed,
  ACTIVITIES.resolved,
  ACTIVITIES.closedUnresolved,
  ACTIVITIES.reopened,
  ACTIVITIES.priorityChanged,
  ACTIVITIES.statusChanged,
]);

interface Row {
  activity: string;
  at: string;
  eventId: string;
}

/**
 * For every clock event written together with an agent's change (same instant), the change comes
 * before it in `rows`, and the clock event's timestamp is not earlier. Returns how many pairs it checked.
 */
function causesComeFirst(rows: readonly Row[], where: string): number {
  let pairs = 0;
  rows.forEach((row, i) => {
    if (!CLOCK.has(row.activity)) return;
    const cause = rows.findIndex((r) => CAUSES.has(r.activity.split(':')[0]!) && r.at === row.at);
    if (cause === -1) return; // the workflow's own clock events (started, warnings) have no cause here
    pairs++;
    expect(
      cause,
      `${where}: ${rows[cause]!.activity} must come before ${row.activity} (${row.at})\n${rows.map((r) => `${r.at} ${r.activity}`).join('\n')}`,
    ).toBeLessThan(i);
    expect(Date.parse(row.at)).toBeGreaterThanOrEqual(Date.parse(rows[cause]!.at));
  });
  return pairs;
}

const rowsOf = (events: readonly CaseEvent[]): Row[] => events.map((e) => ({ activity: e.activity, at: e.at, eventId: e.eventId }));

describe('the SLA clock events follow the change that causes them', () => {
  it('in the stored history, the events by day and the process-mining export, for any sequence of changes', async () => {
    const source = makeReportReader(db.table);
    const exportEvents = makeExportEvents({ source, clock: deps.clock });
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { minLength: 2, maxLength: 6 }), async (choices) => {
        const caseId = await acceptedCase();
        await play(caseId, choices);

        const history = (await deps.cases.getWithHistory(caseId))!.events;
        checked += causesComeFirst(rowsOf(history), 'history');

        const days = [...new Set(history.map((e) => e.at.slice(0, 10)))].sort();
        const byDay = (await Promise.all(days.map((d) => source.listEventsOfDay(d)))).flat().filter((e) => e.caseId === caseId);
        causesComeFirst(rowsOf(byDay), 'events by day');

        const csv = await exportEvents(mona, { format: 'csv', period: parsePeriod(days[0], days.at(-1)) });
        const exported = (parse(csv.body, { columns: true }) as Record<string, string>[])
          .filter((r) => r.case_id === caseId)
          .map((r) => ({ activity: r.activity!, at: new Date(r.timestamp!).toISOString(), eventId: r.event_id! }));
        expect(exported.map((r) => r.eventId).sort()).toEqual(history.map((e) => e.eventId).sort());
        causesComeFirst(exported, 'CSV export');
      }),
      { numRuns: 10 },
    );
    // The walks did exercise the clock: pauses, resumes, completions, reopenings, new targets.
    expect(checked).toBeGreaterThan(10);
  });

  it('a hold and its resume, read back: put_on_hold ▶ sla_clock_paused, resumed ▶ sla_clock_resumed', async () => {
    const caseId = await acceptedCase();
    await uc.workCase.changeStatus(alice, caseId, { status: 'on_hold', reason: 'waiting for parts' });
    await uc.workCase.changeStatus(alice, caseId, { status: 'in_progress' });
    const activities = (await deps.cases.getWithHistory(caseId))!.events.map((e) => e.activity);
    const tail = activities.slice(activities.indexOf('put_on_hold'));
    expect(tail.filter((a) => ['put_on_hold', 'sla_clock_paused', 'resumed', 'sla_clock_resumed'].includes(a))).toEqual([
      'put_on_hold',
      'sla_clock_paused',
      'sla_clock_paused', // one per running milestone: first response and resolution
      'resumed',
      'sla_clock_resumed',
      'sla_clock_resumed',
    ]);
  });
});
