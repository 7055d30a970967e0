import { spareCapacity } from '../agent-state.js';
import type { CaseRecord } from '../case.js';
import { isOpenAt } from '../business-hours.js';
import { workingDayEndedBetween } from '../business-time.js';
import type { Queue, RoutingConfig } from '../config.js';
import { findAgent, findCalendar, priorityRank } from '../config.js';
import { DUE_KINDS } from '../due.js';
import { durationMs } from '../duration.js';
import { ACTIVITIES, SYSTEM, makeEvent } from '../events.js';
import { ConflictError } from '../errors.js';
import { caseSummary, notificationFrom, resolveRecipients } from '../notifications.js';
import type { Clock, IdGenerator } from '../ports/clock.js';
import type { Notifier } from '../ports/notifications.js';
import type { AgentStateRepository, CaseRepository } from '../ports/repositories.js';
import type { WorkflowStarter } from '../ports/workflow.js';
import { formatMs } from '../sla.js';
import type { MetricsSink } from '../metrics.js';
import { queueDepthPoints } from '../metrics.js';
import { loadConfig, type ConfigSource } from './load-config.js';
import type { Reassign, ReassignResult } from './reassign.js';
import type { DispatchToAgent } from './dispatch.js';
import { slaAfterChange, watchSla } from './sla-clock.js';

/**
 * The sweep: what no event triggers, run on a schedule (EventBridge Scheduler in AWS, a timer
 * locally). Each part reads only what is due, through indexes, never a Scan:
 *
 * 1. offers not accepted within acceptTimeout ▶ taken back and routed, the agent excluded
 *    (the due-work index, `dueWork('accept')`, by due time);
 * 2. agents away or offline for longer than absentAfter during their working hours ▶ their assigned
 *    and in-progress cases routed to others (`dueWork('absent')` on the agent's state, then the
 *    agent's open cases, `casesByOwner`);
 * 3. end of shift, for queues that ask for it ▶ the open cases an agent could not close in their
 *    working day, routed to whoever is on now (pure calendar arithmetic picks the agents whose day
 *    ended within the look-back, then `casesByOwner`);
 * 4. cases on hold longer than onHoldMax ▶ priority raised one step, owner's supervisor alerted
 *    (`dueWork('hold')`);
 * 5. the dispatch backstop ▶ queues with waiting cases (one-item `queuedInQueue` queries) get them dispatched
 *    to members with spare capacity (requirements relax with time waited, with no event to say so);
 * 6. the QueueDepth gauge ▶ a count (up to QUEUE_DEPTH_CAP) of each queue that still has cases waiting.
 *
 * Every move is a conditional write on the case's version, so two sweeps that overlap move each case
 * once; each moved case gets an event saying why.
 */

export interface SweepDeps {
  cases: CaseRepository;
  agentStates: AgentStateRepository;
  configs: ConfigSource;
  clock: Clock;
  ids: IdGenerator;
  notifier: Notifier;
  reassign: Reassign;
  dispatchToAgent: DispatchToAgent;
  workflow?: WorkflowStarter;
  defaultFromAddress?: string;
  /** Queue depth gauges go here (the queueDepth part). */
  metrics?: MetricsSink;
}

export interface SweepOptions {
  /** How far back the end-of-shift part looks for working days that ended (default 15 minutes). */
  endOfShiftLookbackMs?: number;
  /** At most this many items per part per run; the rest is left for the next run (default 200). */
  limit?: number;
  /** Run only these parts (default all). */
  parts?: readonly SweepPart[];
}

export const SWEEP_PARTS = ['acceptTimeouts', 'absentAgents', 'endOfShift', 'onHoldLimits', 'dispatch', 'queueDepth'] as const;
export type SweepPart = (typeof SWEEP_PARTS)[number];

export interface SweepReport {
  at: string;
  acceptTimeouts: ReassignResult[];
  absentAgents: { agentId: string; since: string; cases: ReassignResult[]; skipped?: string }[];
  endOfShift: { agentId: string; queue: string; endedAt: string; cases: ReassignResult[] }[];
  onHoldLimits: { caseId: string; escalated: boolean; reason: string }[];
  dispatch: { queue: string; agents: string[]; assigned: string[] }[];
  /** Cases waiting per queue after the run (counted up to QUEUE_DEPTH_CAP), for the QueueDepth gauge. */
  queueDepth: Record<string, number>;
  /** Parts that hit the limit: more is due than one run takes. */
  more: SweepPart[];
}

export const DEFAULT_END_OF_SHIFT_LOOKBACK_MS = 15 * 60_000;
const DEFAULT_LIMIT = 200;
/** The queue depth gauge counts at most this many per queue: beyond it, the number matters less than the alarm. */
export const QUEUE_DEPTH_CAP = 1000;
/** Statuses whose owner is working the case: what absence and end of shift move (on-hold cases wait for the customer and stay). */
const WORKING: ReadonlySet<CaseRecord['status']> = new Set(['assigned', 'in_progress']);

/** Who the dispatch part offers a queue's waiting cases to: its members, and those of the queue it overflows into. */
export function dispatchCandidates(config: RoutingConfig, queue: Queue): string[] {
  const overflow = queue.overflowQueue ? config.queues.find((q) => q.id === queue.overflowQueue) : undefined;
  return [...new Set([...queue.members, ...(overflow?.members ?? [])])];
}

export function makeSweep(deps: SweepDeps) {
  async function ownedWorking(agentId: string, queue?: string): Promise<CaseRecord[]> {
    const found: CaseRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = await deps.cases.list({ owner: agentId, statuses: ['assigned', 'in_progress'], limit: 100, ...(cursor ? { cursor } : {}) });
      found.push(...page.items.filter((c) => !queue || c.queue === queue));
      cursor = page.cursor;
    } while (cursor);
    return found;
  }

  async function acceptTimeouts(now: Date, config: RoutingConfig, limit: number, report: SweepReport) {
    const at = now.toISOString();
    const due = await deps.cases.listDue(DUE_KINDS.accept, at, limit);
    if (due.length >= limit) report.more.push('acceptTimeouts');
    for (const item of due) {
      const owner = item.owner;
      report.acceptTimeouts.push(
        await deps.reassign(item.caseId, {
          read: item,
          cause: 'accept_timeout',
          activity: ACTIVITIES.offerExpired,
          reason: `${owner ?? 'the agent'} did not accept the offer within ${config.sweeps.acceptTimeout} (due ${item.due?.at})`,
          actor: { kind: 'system', id: 'sweep' },
          target: { kind: 'route' },
          excludeOwner: true,
          guard: (c) =>
            c.status !== 'assigned'
              ? `no longer an open offer (${c.status})`
              : c.due?.kind !== DUE_KINDS.accept || c.due.at > at
                ? 'the offer is not due yet'
                : undefined,
        }),
      );
    }
  }

  async function absentAgents(now: Date, config: RoutingConfig, limit: number, report: SweepReport) {
    const absentAfterMs = durationMs(config.sweeps.absentAfter);
    const before = new Date(now.getTime() - absentAfterMs).toISOString();
    const absent = await deps.agentStates.listAbsent(before, limit);
    if (absent.length >= limit) report.more.push('absentAgents');
    for (const state of absent) {
      const at = deps.clock.now().toISOString();
      const agent = findAgent(config, state.agentId);
      const calendar = agent ? findCalendar(config, agent.businessHours) : undefined;
      let skipped: string | undefined;
      const moved: ReassignResult[] = [];
      if (!agent) skipped = 'no longer configured';
      else if (calendar && !isOpenAt(calendar, now)) skipped = `outside their working hours (${calendar.id}): not an absence`;
      else {
        for (const c of await ownedWorking(agent.id)) {
          moved.push(
            await deps.reassign(c.caseId, {
              read: c,
              cause: 'owner_absent',
              reason: `${agent.id} has been ${state.presence} since ${state.presenceSince} (longer than absentAfter ${config.sweeps.absentAfter})`,
              actor: { kind: 'system', id: 'sweep' },
              target: { kind: 'route' },
              guard: (fresh) => (fresh.owner !== agent.id ? 'no longer theirs' : !WORKING.has(fresh.status) ? `now ${fresh.status}` : undefined),
              details: { presence: state.presence, since: state.presenceSince },
            }),
          );
        }
      }
      await deps.agentStates.markAbsenceHandled(state.agentId, state.presenceSince, at);
      report.absentAgents.push({ agentId: state.agentId, since: state.presenceSince, cases: moved, ...(skipped ? { skipped } : {}) });
    }
  }

  async function endOfShift(now: Date, config: RoutingConfig, lookbackMs: number, report: SweepReport) {
    const from = new Date(now.getTime() - lookbackMs);
    for (const queue of config.queues.filter((q) => q.reassignAtEndOfShift)) {
      for (const member of queue.members) {
        const agent = findAgent(config, member);
        if (!agent) continue;
        const ended = workingDayEndedBetween(from, now, findCalendar(config, agent.businessHours ?? queue.businessHours));
        if (!ended) continue;
        const endedAt = ended.toISOString();
        const cases: ReassignResult[] = [];
        for (const c of await ownedWorking(agent.id, queue.id)) {
          cases.push(
            await deps.reassign(c.caseId, {
              read: c,
              cause: 'end_of_shift',
              reason: `${agent.id}'s working day ended at ${endedAt} with the case still open; queue ${queue.id} reassigns at the end of a shift`,
              actor: { kind: 'system', id: 'sweep' },
              target: { kind: 'route' },
              guard: (fresh) =>
                fresh.owner !== agent.id
                  ? 'no longer theirs'
                  : !WORKING.has(fresh.status)
                    ? `now ${fresh.status}`
                    : fresh.queue !== queue.id
                      ? `now in queue ${fresh.queue}`
                      : undefined,
              details: { shiftEndedAt: endedAt },
            }),
          );
        }
        report.endOfShift.push({ agentId: agent.id, queue: queue.id, endedAt, cases });
      }
    }
  }

  async function onHoldLimits(now: Date, config: RoutingConfig, limit: number, report: SweepReport) {
    const at = now.toISOString();
    const due = await deps.cases.listDue(DUE_KINDS.hold, at, limit);
    if (due.length >= limit) report.more.push('onHoldLimits');
    for (const item of due) report.onHoldLimits.push(await escalateHold(item, config, at));
  }

  /** On hold past onHoldMax: one step up in priority, the owner's supervisor (and the owner) told; once per hold. */
  async function escalateHold(read: CaseRecord, config: RoutingConfig, at: string): Promise<{ caseId: string; escalated: boolean; reason: string }> {
    let c: CaseRecord | undefined = read;
    for (let attempt = 0; attempt < 4 && c; attempt++) {
      if (c.status !== 'on_hold' || c.due?.kind !== DUE_KINDS.hold || c.due.at > at)
        return { caseId: c.caseId, escalated: false, reason: 'no longer past its on-hold limit' };
      const heldSince = new Date(Date.parse(c.due.at) - durationMs(config.sweeps.onHoldMax)).toISOString();
      const rank = config.priorities.indexOf(c.priority);
      const raisedTo = rank > 0 ? config.priorities[rank - 1] : undefined;
      const reason = `on hold since ${heldSince}, longer than onHoldMax ${config.sweeps.onHoldMax}`;
      const after: CaseRecord = {
        ...c,
        due: undefined,
        updatedAt: at,
        ...(raisedTo ? { priority: raisedTo, priorityRank: priorityRank(config, raisedTo) } : {}),
      };
      const recipients = resolveRecipients(c, config, ['supervisor', 'owner']);
      const causes = [
        makeEvent(
          deps.ids,
          c.caseId,
          ACTIVITIES.onHoldLimitExceeded,
          at,
          { kind: 'system', id: 'sweep' },
          {
            reason,
            heldSince,
            raisePriority: raisedTo ? { from: c.priority, to: raisedTo } : null,
            notify: [...recipients.agents.map((a) => a.agentId), ...(recipients.admins ? ['admins'] : [])],
          },
        ),
        ...(raisedTo
          ? [
              makeEvent(
                deps.ids,
                c.caseId,
                ACTIVITIES.prioritised,
                at,
                { kind: 'system', id: 'sweep' },
                { from: c.priority, to: raisedTo, cause: 'on_hold_limit' },
              ),
            ]
          : []),
      ];
      const sla = slaAfterChange(c, after, config, at, deps.ids, SYSTEM, causes);
      const events = sla.events;
      try {
        await deps.cases.update(sla.case, c.version, events);
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        c = await deps.cases.get(c.caseId);
        continue;
      }
      await watchSla(deps.workflow, c.caseId, sla.watch);
      const from = notificationFrom(config, deps.defaultFromAddress);
      await deps.notifier
        .notify({
          notificationId: deps.ids.next(),
          at,
          caseId: c.caseId,
          caseNumber: c.caseNumber,
          kind: 'on_hold_limit',
          subject: `Case ${c.caseNumber} has been on hold for ${formatMs(Date.parse(at) - Date.parse(heldSince))}`,
          text: `${caseSummary(sla.case)}\n\n${reason}.${raisedTo ? ` Priority raised from ${c.priority} to ${raisedTo}.` : ''}`,
          agents: recipients.agents,
          admins: recipients.admins,
          ...(from ? { from } : {}),
        })
        .catch(() => undefined);
      return { caseId: c.caseId, escalated: true, reason: `${reason}${raisedTo ? `; priority ${c.priority} ▶ ${raisedTo}` : ''}` };
    }
    return { caseId: read.caseId, escalated: false, reason: c ? 'kept changing' : 'no longer exists' };
  }

  async function dispatch(config: RoutingConfig, report: SweepReport) {
    const tried = new Set<string>();
    for (const queue of config.queues) {
      const head = await deps.cases.listQueued(queue.id, 1);
      if (head.length === 0) continue;
      const candidates = dispatchCandidates(config, queue).filter((id) => !tried.has(id));
      const states = await deps.agentStates.getMany(candidates);
      const agents: string[] = [];
      const assigned: string[] = [];
      for (const id of candidates) {
        const agent = findAgent(config, id);
        const state = states.get(id);
        if (!agent || state?.presence !== 'online') continue;
        const spare = (['email', 'web', 'phone', 'chat'] as const).some((ch) => spareCapacity(agent, state, ch) > 0);
        if (!spare) continue;
        tried.add(id);
        agents.push(id);
        assigned.push(...(await deps.dispatchToAgent(id, { reason: `sweep: queue ${queue.id} has waiting cases` })));
      }
      report.dispatch.push({ queue: queue.id, agents, assigned });
    }
  }

  /** Only queues that had something waiting when the dispatch part looked are counted; the rest are 0. */
  async function queueDepth(config: RoutingConfig, report: SweepReport & { dispatchRan?: boolean }) {
    const waiting = new Set(report.dispatch.map((d) => d.queue));
    const parts = await Promise.all(
      config.queues.map(async (q) => [q.id, waiting.has(q.id) || !report.dispatchRan ? await deps.cases.countQueued(q.id, QUEUE_DEPTH_CAP) : 0] as const),
    );
    report.queueDepth = Object.fromEntries(parts);
    try {
      deps.metrics?.record(queueDepthPoints(report.queueDepth));
    } catch {
      // A gauge is never worth a failed sweep.
    }
  }

  return async function sweep(options: SweepOptions = {}): Promise<SweepReport> {
    const now = deps.clock.now();
    const config = await loadConfig(deps.configs);
    const limit = options.limit ?? DEFAULT_LIMIT;
    const parts = new Set(options.parts ?? SWEEP_PARTS);
    const report: SweepReport & { dispatchRan?: boolean } = {
      at: now.toISOString(),
      acceptTimeouts: [],
      absentAgents: [],
      endOfShift: [],
      onHoldLimits: [],
      dispatch: [],
      queueDepth: {},
      more: [],
    };
    if (parts.has('acceptTimeouts')) await acceptTimeouts(now, config, limit, report);
    if (parts.has('absentAgents')) await absentAgents(now, config, limit, report);
    if (parts.has('endOfShift')) await endOfShift(now, config, options.endOfShiftLookbackMs ?? DEFAULT_END_OF_SHIFT_LOOKBACK_MS, report);
    if (parts.has('onHoldLimits')) await onHoldLimits(now, config, limit, report);
    if (parts.has('dispatch')) {
      await dispatch(config, report);
      report.dispatchRan = true;
    }
    if (parts.has('queueDepth')) await queueDepth(config, report);
    delete report.dispatchRan;
    return report;
  };
}

export type Sweep = ReturnType<typeof makeSweep>;
