import { addBusinessTime, businessTimeBetween, subtractBusinessTime } from './business-time.js';
import type { CaseRecord, CaseStatus, MilestoneClock, MilestoneName, SlaDeadlineKind, SlaState } from './case.js';
import { CLOSED_STATUSES, MILESTONES } from './case.js';
import { compileConditionNode } from './conditions.js';
import type { BusinessHours, RoutingConfig, SlaPolicy } from './config.js';
import { findCalendar, priorityRank } from './config.js';
import { durationMs } from './duration.js';
import type { EventDraft, SlaActivity } from './events.js';
import { SLA_ACTIVITIES } from './events.js';

/**
 * The SLA clock (entitlements and milestones): pure decisions over a case's clock state, with an
 * injected `now`. The workflow only waits and calls these through a task; sweeps and agent actions
 * call them through use cases.
 *
 * Model. A policy (first match of its `when`, like rules) gives each milestone a target per priority.
 * Each milestone clock counts business time (the policy's calendar, or 24×7) from the case's creation:
 * `consumedMs` is what has counted up to `countedAt`. Every threshold is a point on that count:
 *   warning at target − warnBefore, breach at target, escalation step i at (consumed at breach) + after_i.
 * While the case sits in a pausing status nothing counts, so every threshold moves later by exactly
 * the time paused; resuming recomputes the due instants from the time left, never resetting it.
 * A priority change re-reads the targets for the new level; since consumption counts from creation,
 * that is "recomputed from the case's creation". A breach is history: it stays, whatever the target
 * does afterwards.
 *
 * Each milestone ends `met` (completed before its due instant) or `met_late` (after it); while open
 * and past due it is `violated`. First response completes on the first agent reply
 * (completeMilestone), or when the case closes without one; resolution on resolved/closed_unresolved,
 * and opens again (counting on from where it stopped) if the case is reopened.
 *
 * The clock's state (SlaState, MilestoneClock) is part of the case model, declared in
 * functions/core/case.ts so the model depends on no feature module; this module decides over it.
 */

/** What the use cases turn into events; `activity` is one of ACTIVITIES' sla_* names. */
export type SlaEventDraft = EventDraft<SlaActivity>;

/** The policy and calendar a clock runs by, resolved from the current configuration. */
export interface SlaContext {
  policy: SlaPolicy;
  calendar?: BusinessHours;
  priorities: readonly string[];
}

/** A paused clock wakes at least this often to notice a resume whose nudge was lost (see nextSlaDeadline). */
export const PAUSED_RECHECK_MIN_MS = 60 * 60 * 1000;

const compiledWhen = new WeakMap<SlaPolicy, (c: CaseRecord, now: Date) => boolean>();

/** The first policy whose conditions hold (no `when` matches every case), like rules. */
export function matchSlaPolicy(config: RoutingConfig, c: CaseRecord, now: Date): SlaPolicy | undefined {
  for (const policy of config.slaPolicies) {
    if (!policy.when) return policy;
    let test = compiledWhen.get(policy);
    if (!test) {
      const predicate = compileConditionNode(policy.when);
      test = (kase, at) => predicate({ case: kase, now: at });
      compiledWhen.set(policy, test);
    }
    if (test(c, now)) return policy;
  }
  return undefined;
}

export function slaContext(config: RoutingConfig, policyId: string): SlaContext | undefined {
  const policy = config.slaPolicies.find((p) => p.id === policyId);
  if (!policy) return undefined;
  const calendar = findCalendar(config, policy.businessHours);
  return { policy, ...(calendar ? { calendar } : {}), priorities: config.priorities };
}

export function isClosed(status: CaseStatus): boolean {
  return CLOSED_STATUSES.includes(status);
}

const isCompleted = (m: MilestoneClock) => m.status === 'met' || m.status === 'met_late';
const isRunning = (m: MilestoneClock) => !isCompleted(m) && m.pausedAt === undefined;
const iso = (ms: number) => new Date(ms).toISOString();

function targetOf(policy: SlaPolicy, milestone: MilestoneName, priority: string): string | undefined {
  return milestone === 'first_response' ? policy.firstResponse[priority] : policy.resolution[priority];
}

function warnMs(policy: SlaPolicy): number {
  return policy.warnBefore ? durationMs(policy.warnBefore) : 0;
}

/** The instant a running clock's consumption reaches `amountMs` (at or after countedAt). */
function instantAt(m: MilestoneClock, amountMs: number, calendar: BusinessHours | undefined): string {
  return addBusinessTime(new Date(m.countedAt), Math.max(0, amountMs - m.consumedMs), calendar).toISOString();
}

/** Recomputes the projections (due, warning, time left) of a clock as of its countedAt. */
function project(m: MilestoneClock, ctx: SlaContext): MilestoneClock {
  const next: MilestoneClock = { ...m, remainingMs: Math.max(0, m.targetMs - m.consumedMs) };
  if (isCompleted(m)) {
    delete next.warnAt;
    return next;
  }
  if (!isRunning(m)) {
    // Stopped: nothing is due until it runs again; the time left says how much will be.
    delete next.warnAt;
    if (!m.breachedAt) delete next.dueAt;
    return next;
  }
  if (!m.breachedAt) {
    next.dueAt =
      m.consumedMs < m.targetMs
        ? instantAt(m, m.targetMs, ctx.calendar)
        : // Already past (noticed late, or a shorter target): when the count passed the target.
          subtractBusinessTime(new Date(m.countedAt), m.consumedMs - m.targetMs, ctx.calendar).toISOString();
  }
  const warn = warnMs(ctx.policy);
  if (warn > 0 && !m.warnedAt && !m.breachedAt && m.targetMs - warn > 0) next.warnAt = instantAt(m, m.targetMs - warn, ctx.calendar);
  else delete next.warnAt;
  return next;
}

/** Counts a clock's business time up to `at` (if it was running) and moves countedAt there. */
function countTo(m: MilestoneClock, at: Date, calendar: BusinessHours | undefined): MilestoneClock {
  const from = new Date(m.countedAt);
  if (at.getTime() <= from.getTime()) return m;
  const added = isRunning(m) ? businessTimeBetween(from, at, calendar) : 0;
  return { ...m, consumedMs: m.consumedMs + added, countedAt: at.toISOString() };
}

/** Starts the clock of a case: the matching policy's milestones for its priority, counted from creation. */
export function startSla(c: CaseRecord, config: RoutingConfig, now: Date, generation: number): { sla?: SlaState; events: SlaEventDraft[]; reasons: string[] } {
  const policy = matchSlaPolicy(config, c, now);
  if (!policy) return { events: [], reasons: ['no SLA policy applies to this case'] };
  const ctx = slaContext(config, policy.id)!;
  const milestones: SlaState['milestones'] = {};
  for (const name of MILESTONES) {
    const target = targetOf(policy, name, c.priority);
    if (!target) continue;
    milestones[name] = {
      status: 'active',
      target,
      targetMs: durationMs(target),
      startedAt: c.createdAt,
      consumedMs: 0,
      countedAt: c.createdAt,
      remainingMs: durationMs(target),
      escalations: 0,
    };
  }
  if (Object.keys(milestones).length === 0) {
    return { events: [], reasons: [`SLA policy ${policy.id} has no target for priority ${c.priority}`] };
  }
  const initial: SlaState = {
    policyId: policy.id,
    ...(policy.businessHours ? { calendar: policy.businessHours } : {}),
    priority: c.priority,
    milestones,
    generation,
    updatedAt: now.toISOString(),
  };
  // Counted from creation as running; the case's present status (paused, closed) applies from now.
  const synced = syncSla(initial, c, ctx, now);
  const summary = Object.fromEntries(Object.entries(synced.sla.milestones).map(([k, m]) => [k, { target: m.target, dueAt: m.dueAt ?? null }]));
  return {
    sla: synced.sla,
    events: [
      {
        activity: SLA_ACTIVITIES.slaStarted,
        details: { policy: policy.id, calendar: policy.businessHours ?? '24x7', priority: c.priority, milestones: summary },
      },
      ...synced.events,
    ],
    reasons: [`SLA policy ${policy.id} applies${policy.when ? ' (its conditions match)' : ''}; targets for priority ${c.priority}`],
  };
}

/**
 * Brings the clock up to `at` for the case as it is from `at` on: counts the time since the last
 * count (if the clock ran), re-reads targets for the case's priority, then stops, resumes, completes
 * or reopens each milestone as the case's status says. The hook every status change goes through,
 * and the first thing every evaluation does.
 */
export function syncSla(sla: SlaState, c: CaseRecord, ctx: SlaContext, at: Date): { sla: SlaState; events: SlaEventDraft[] } {
  const events: SlaEventDraft[] = [];
  const atIso = at.toISOString();
  const closed = isClosed(c.status);
  const paused = !closed && ctx.policy.pauseStatuses.includes(c.status);
  const milestones: SlaState['milestones'] = {};

  for (const name of MILESTONES) {
    const current = sla.milestones[name];
    if (!current) continue;
    let m = countTo(current, at, ctx.calendar);

    const target = targetOf(ctx.policy, name, c.priority);
    if (target && target !== m.target) {
      events.push({ activity: SLA_ACTIVITIES.slaTargetsChanged, details: { milestone: name, priority: c.priority, from: m.target, to: target } });
      m = { ...m, target, targetMs: durationMs(target) };
    }

    if (closed) {
      if (!isCompleted(m)) {
        const late = m.breachedAt !== undefined || m.consumedMs >= m.targetMs;
        m = {
          ...m,
          status: late ? 'met_late' : 'met',
          completedAt: atIso,
          ...(late && !m.breachedAt ? { breachedAt: m.dueAt && m.dueAt <= atIso ? m.dueAt : atIso, consumedAtBreachMs: m.targetMs } : {}),
        };
        delete m.pausedAt;
        events.push({
          activity: late ? SLA_ACTIVITIES.slaMetLate : SLA_ACTIVITIES.slaMet,
          details: {
            milestone: name,
            by: `case ${c.status}`,
            consumedMs: m.consumedMs,
            targetMs: m.targetMs,
            dueAt: m.dueAt ?? null,
            ...(m.breachedAt ? { breachedAt: m.breachedAt } : {}),
          },
        });
      }
    } else {
      if (isCompleted(m) && name === 'resolution') {
        // Reopened: resolution counts on from where it stopped; the time closed never counts.
        m = { ...m, status: m.breachedAt ? 'violated' : 'active' };
        delete m.completedAt;
        events.push({ activity: SLA_ACTIVITIES.slaReopened, details: { milestone: name, consumedMs: m.consumedMs, targetMs: m.targetMs } });
      }
      if (!isCompleted(m)) {
        if (paused && m.pausedAt === undefined) {
          m = { ...m, pausedAt: atIso, status: m.breachedAt ? 'violated' : 'paused' };
          events.push({
            activity: SLA_ACTIVITIES.slaPaused,
            details: { milestone: name, status: c.status, consumedMs: m.consumedMs, remainingMs: Math.max(0, m.targetMs - m.consumedMs) },
          });
        } else if (!paused && m.pausedAt !== undefined) {
          const pausedFor = businessTimeBetween(new Date(m.pausedAt), at, ctx.calendar);
          m = { ...m, status: m.breachedAt ? 'violated' : 'active' };
          delete m.pausedAt;
          m = project(m, ctx);
          events.push({
            activity: SLA_ACTIVITIES.slaResumed,
            details: { milestone: name, status: c.status, remainingMs: m.remainingMs, dueAt: m.dueAt ?? null, pausedBusinessMs: pausedFor },
          });
        }
      }
    }
    milestones[name] = project(m, ctx);
  }
  return { sla: { ...sla, priority: c.priority, milestones, updatedAt: atIso }, events };
}

/** An agent's first reply (the reply endpoint calls this through completeFirstResponse). */
export function completeMilestone(
  sla: SlaState,
  c: CaseRecord,
  name: MilestoneName,
  ctx: SlaContext,
  at: Date,
  by: string,
): { sla: SlaState; events: SlaEventDraft[]; completed: boolean } {
  const synced = syncSla(sla, c, ctx, at);
  const m = synced.sla.milestones[name];
  if (!m || isCompleted(m)) return { ...synced, completed: false };
  const atIso = at.toISOString();
  const late = m.breachedAt !== undefined || m.consumedMs >= m.targetMs;
  const done: MilestoneClock = {
    ...m,
    status: late ? 'met_late' : 'met',
    completedAt: atIso,
    ...(late && !m.breachedAt ? { breachedAt: m.dueAt && m.dueAt <= atIso ? m.dueAt : atIso, consumedAtBreachMs: m.targetMs } : {}),
  };
  delete done.pausedAt;
  delete done.warnAt;
  return {
    sla: { ...synced.sla, milestones: { ...synced.sla.milestones, [name]: done } },
    events: [
      ...synced.events,
      {
        activity: late ? SLA_ACTIVITIES.slaMetLate : SLA_ACTIVITIES.slaMet,
        details: {
          milestone: name,
          by,
          consumedMs: done.consumedMs,
          targetMs: done.targetMs,
          dueAt: done.dueAt ?? null,
          ...(done.breachedAt ? { breachedAt: done.breachedAt } : {}),
        },
      },
    ],
    completed: true,
  };
}

export type NotifyTarget = 'owner' | 'supervisor' | 'admins';

export type SlaAction =
  | { type: 'warn'; milestone: MilestoneName; dueAt: string; remainingMs: number; notify: NotifyTarget[]; reason: string }
  | { type: 'breach'; milestone: MilestoneName; dueAt: string; notify: NotifyTarget[]; reason: string }
  | {
      type: 'escalate';
      milestone: MilestoneName;
      level: number;
      raisePriority?: { from: string; to: string };
      notify: NotifyTarget[];
      reassignTo?: 'supervisor' | { queue: string };
      reason: string;
    };

export interface SlaEvaluation {
  /** The case with its clock brought up to date and the actions' effects on it (priority). */
  case: CaseRecord;
  actions: SlaAction[];
  events: SlaEventDraft[];
  reasons: string[];
}

function raiseOne(priorities: readonly string[], current: string): string | undefined {
  const rank = priorities.indexOf(current);
  if (rank <= 0) return undefined;
  return priorities[rank - 1];
}

/**
 * What is due on the clock now: warnings, breaches and escalation steps, in order, with reasons.
 * Actions are decided on the clock as counted to `now`; a paused clock has nothing due (its
 * thresholds have not been reached, and cannot be while it is stopped).
 */
export function evaluateSla(c: CaseRecord, ctx: SlaContext, now: Date): SlaEvaluation {
  if (!c.sla) return { case: c, actions: [], events: [], reasons: ['no SLA clock on this case'] };
  const nowIso = now.toISOString();
  let { sla, events } = syncSla(c.sla, c, ctx, now);
  const actions: SlaAction[] = [];
  const reasons: string[] = [];
  let priority = c.priority;
  const warn = warnMs(ctx.policy);
  const steps = ctx.policy.escalation;

  for (const name of MILESTONES) {
    let m = sla.milestones[name];
    if (!m || isCompleted(m)) continue;
    const label = name.replace('_', ' ');

    const breachDue = !m.breachedAt && m.consumedMs >= m.targetMs;
    if (warn > 0 && !m.warnedAt && !m.breachedAt && m.consumedMs >= m.targetMs - warn && m.targetMs - warn > 0) {
      if (breachDue) {
        reasons.push(`${label}: the warning and the breach fell due together; the breach is reported instead`);
        m = { ...m, warnedAt: nowIso };
      } else {
        m = { ...m, warnedAt: nowIso };
        const reason = `${label} is due at ${m.dueAt} (${formatMs(m.targetMs - m.consumedMs)} of ${m.target} left, warning ${ctx.policy.warnBefore} before)`;
        actions.push({
          type: 'warn',
          milestone: name,
          dueAt: m.dueAt ?? nowIso,
          remainingMs: Math.max(0, m.targetMs - m.consumedMs),
          notify: ['owner'],
          reason,
        });
        reasons.push(reason);
      }
    }
    if (breachDue) {
      const breachedAt = m.dueAt && m.dueAt <= nowIso ? m.dueAt : nowIso;
      m = { ...m, status: 'violated', breachedAt, consumedAtBreachMs: m.targetMs };
      const reason = `${label} target ${m.target} (priority ${priority}) passed at ${breachedAt}`;
      // Without an escalation ladder the breach itself tells the owner; with one, its steps notify.
      actions.push({ type: 'breach', milestone: name, dueAt: breachedAt, notify: steps.length === 0 ? ['owner'] : [], reason });
      reasons.push(reason);
    }
    if (m.breachedAt) {
      while (m.escalations < steps.length) {
        const step = steps[m.escalations]!;
        const threshold = (m.consumedAtBreachMs ?? m.targetMs) + durationMs(step.after);
        if (m.consumedMs < threshold) break;
        const level: number = m.escalations + 1;
        let raise: { from: string; to: string } | undefined;
        if (step.raisePriority) {
          const to = raiseOne(ctx.priorities, priority);
          if (to) {
            raise = { from: priority, to };
            priority = to;
          } else reasons.push(`${label} escalation ${level}: priority ${priority} is already the highest`);
        }
        const reason = `${label} breached at ${m.breachedAt}; escalation step ${level} is due ${step.after} after the breach`;
        actions.push({
          type: 'escalate',
          milestone: name,
          level,
          ...(raise ? { raisePriority: raise } : {}),
          notify: step.notify,
          ...(step.reassignTo ? { reassignTo: step.reassignTo } : {}),
          reason,
        });
        reasons.push(reason);
        m = { ...m, escalations: level, lastEscalatedAt: nowIso };
      }
    }
    sla = { ...sla, milestones: { ...sla.milestones, [name]: m } };
  }

  let next: CaseRecord = { ...c, sla };
  if (priority !== c.priority) {
    // A raised priority re-reads the targets from creation; the breaches already recorded stay.
    next = { ...next, priority, priorityRank: priorityRank({ priorities: [...ctx.priorities] }, priority) };
    const resynced = syncSla(sla, next, ctx, now);
    sla = resynced.sla;
    events = [...events, ...resynced.events];
    next = { ...next, sla };
  } else {
    // Re-project: warnings taken and breaches recorded change what is due next.
    const milestones: SlaState['milestones'] = {};
    for (const name of MILESTONES) {
      const m = sla.milestones[name];
      if (m) milestones[name] = project(m, ctx);
    }
    next = { ...next, sla: { ...sla, milestones } };
  }
  return { case: next, actions, events, reasons };
}

export type SlaSchedule =
  | { done: true; reasons: string[] }
  | { done: false; wakeAt: string; kind: SlaDeadlineKind; milestone?: MilestoneName; reasons: string[] };

/**
 * When the workflow should wake next for this clock: the earliest of each running milestone's
 * warning, breach and next escalation step. A stopped (paused) clock has no deadline; its execution
 * still wakes at the earliest instant any threshold could fall if the case resumed right now (so a
 * resume is never noticed late even if its nudge was lost), but not more often than hourly.
 */
export function nextSlaDeadline(c: CaseRecord, ctx: SlaContext, now: Date): SlaSchedule {
  if (isClosed(c.status)) return { done: true, reasons: [`the case is ${c.status}: the clock has stopped`] };
  const sla = c.sla;
  if (!sla) return { done: true, reasons: ['no SLA clock on this case'] };
  const steps = ctx.policy.escalation;
  const warn = warnMs(ctx.policy);
  let best: { at: string; kind: SlaDeadlineKind; milestone: MilestoneName } | undefined;
  let pausedLeftMs: number | undefined;
  const consider = (at: string, kind: SlaDeadlineKind, milestone: MilestoneName) => {
    if (!best || at < best.at) best = { at, kind, milestone };
  };

  for (const name of MILESTONES) {
    const m = sla.milestones[name];
    if (!m || isCompleted(m)) continue;
    // Thresholds still ahead on this clock, in consumed business time.
    const ahead: { amount: number; kind: SlaDeadlineKind }[] = [];
    if (warn > 0 && !m.warnedAt && !m.breachedAt && m.targetMs - warn > 0) ahead.push({ amount: m.targetMs - warn, kind: 'warning' });
    if (!m.breachedAt) ahead.push({ amount: m.targetMs, kind: 'breach' });
    else if (m.escalations < steps.length) {
      ahead.push({ amount: (m.consumedAtBreachMs ?? m.targetMs) + durationMs(steps[m.escalations]!.after), kind: 'escalation' });
    }
    if (isRunning(m)) {
      for (const t of ahead) consider(instantAt(m, t.amount, ctx.calendar), t.kind, name);
    } else {
      for (const t of ahead) {
        const left = Math.max(0, t.amount - m.consumedMs);
        pausedLeftMs = pausedLeftMs === undefined ? left : Math.min(pausedLeftMs, left);
      }
    }
  }

  if (pausedLeftMs !== undefined) {
    const earliest = addBusinessTime(now, pausedLeftMs, ctx.calendar).getTime();
    const recheck = iso(Math.max(earliest, now.getTime() + PAUSED_RECHECK_MIN_MS));
    if (!best || recheck < (best as { at: string }).at) {
      return {
        done: false,
        wakeAt: recheck,
        kind: 'recheck',
        reasons: [`the clock is stopped (${c.status}); checking again at ${recheck} in case a resume went unnoticed`],
      };
    }
  }
  if (!best) return { done: true, reasons: ['every milestone is complete, or past its last escalation step'] };
  const b = best as { at: string; kind: SlaDeadlineKind; milestone: MilestoneName };
  return { done: false, wakeAt: b.at, kind: b.kind, milestone: b.milestone, reasons: [`next: ${b.milestone.replace('_', ' ')} ${b.kind} at ${b.at}`] };
}

/** `5400000` ▶ `1h 30m`: durations in reasons people read. */
export function formatMs(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const parts = [d ? `${d}d` : '', h ? `${h}h` : '', m ? `${m}m` : '', s || total === 0 ? `${s}s` : ''].filter(Boolean);
  return parts.join(' ');
}
