import type { CaseRecord } from '../case.js';
import type { CaseEvent } from '../events.js';
import type { RoutingConfig } from '../config.js';
import { ConflictError } from '../errors.js';
import { ACTIVITIES, SYSTEM, makeEvent } from '../events.js';
import { caseSummary, notificationFrom, resolveRecipients } from '../notifications.js';
import type { Clock, IdGenerator } from '../ports/clock.js';
import type { Notifier } from '../ports/notifications.js';
import type { CaseRepository } from '../ports/repositories.js';
import type { WorkflowStarter } from '../ports/workflow.js';
import type { SlaState } from '../case.js';
import type { SlaAction, SlaContext, SlaSchedule } from '../sla.js';
import { SLA_ACTIVITIES } from '../events.js';
import { evaluateSla, formatMs, isClosed, nextSlaDeadline, slaContext, startSla, syncSla } from '../sla.js';
import { loadConfig, type ConfigSource } from './load-config.js';
import type { Reassign } from './reassign.js';
import { slaEvents } from './sla-clock.js';

/**
 * The SLA loop's three workflow tasks (statemachines/case-lifecycle.asl.json):
 *
 *   ScheduleSla ▶ SlaOutcome ▶ WaitForSlaDeadline (until $.sla.wakeAt) ▶ EvaluateSla ▶ SlaOutcome ...
 *                                                   └ ContinueAsNew (after maxLoops) ▶ ContinuedAsNew
 *
 * - ScheduleSla starts the clock (or claims it for this execution's generation) and says when to wake.
 * - EvaluateSla re-reads the case, acts on what is due (warn, breach, escalate: each an event, each
 *   notification through the Notifier port, reassignments through the reassign use case), and says
 *   when to wake next; a deadline that moved later is simply waited for again.
 * - ContinueAsNew starts the next generation before the execution's history grows long.
 *
 * An execution whose generation is older than the clock's has been superseded (a change moved a
 * deadline earlier and started a newer one): it ends. A closed case ends the loop.
 */

export interface SlaTaskInput {
  caseId: string;
  /** The execution's generation: 1 for the case's first execution. */
  generation: number;
  /** Loops this execution has made (EvaluateSla only). */
  loops?: number;
  /** After this many loops the execution continues as a new one (EvaluateSla only). */
  maxLoops?: number;
}

export interface SlaStep {
  caseId: string;
  generation: number;
  loops: number;
  /** `wait` until wakeAt, `done` (nothing left to wait for), or `continue` as a new execution. */
  next: 'wait' | 'done' | 'continue';
  wakeAt?: string;
  kind?: string;
  milestone?: string;
  reasons: string[];
}

export interface SlaWorkflowDeps {
  cases: CaseRepository;
  configs: ConfigSource;
  clock: Clock;
  ids: IdGenerator;
}

export interface EvaluateSlaDeps extends SlaWorkflowDeps {
  notifier: Notifier;
  /** Escalation steps that reassign (to the supervisor or a queue). */
  reassign: Reassign;
  defaultFromAddress?: string;
}

const ATTEMPTS = 5;

function step(input: SlaTaskInput, loops: number, schedule: SlaSchedule, extra: string[] = []): SlaStep {
  const base = { caseId: input.caseId, generation: input.generation, loops };
  if (schedule.done) return { ...base, next: 'done', reasons: [...extra, ...schedule.reasons] };
  return {
    ...base,
    next: 'wait',
    wakeAt: schedule.wakeAt,
    kind: schedule.kind,
    ...(schedule.milestone ? { milestone: schedule.milestone } : {}),
    reasons: [...extra, ...schedule.reasons],
  };
}

const done = (input: SlaTaskInput, loops: number, reason: string): SlaStep => ({
  caseId: input.caseId,
  generation: input.generation,
  loops,
  next: 'done',
  reasons: [reason],
});

function withNext(sla: SlaState, schedule: SlaSchedule): SlaState {
  const next = { ...sla };
  if (schedule.done) delete next.next;
  else next.next = { at: schedule.wakeAt, kind: schedule.kind, ...(schedule.milestone ? { milestone: schedule.milestone } : {}) };
  return next;
}

/** Common to both tasks: the case, its context, or the reason there is nothing to do. */
type Loaded = { c: CaseRecord; config: RoutingConfig; ctx: SlaContext } | { stop: string; c?: CaseRecord; config?: RoutingConfig };

async function loadClock(deps: SlaWorkflowDeps, input: SlaTaskInput): Promise<Loaded> {
  const c = await deps.cases.get(input.caseId);
  if (!c) return { stop: 'the case no longer exists' };
  const config = await loadConfig(deps.configs);
  if (!c.sla) return { stop: 'no clock yet', c, config };
  if (c.sla.generation > input.generation) return { stop: `superseded: generation ${c.sla.generation} watches this clock now`, c, config };
  const ctx = slaContext(config, c.sla.policyId);
  if (!ctx) return { stop: `SLA policy ${c.sla.policyId} is no longer configured`, c, config };
  return { c, config, ctx };
}

/** A clock whose policy was removed from the configuration stops, on record, rather than running on stale targets. */
async function stopClock(deps: SlaWorkflowDeps, c: CaseRecord, reason: string): Promise<void> {
  if (!c.sla?.next) return;
  const at = deps.clock.now().toISOString();
  const sla = { ...c.sla };
  delete sla.next;
  await deps.cases
    .update({ ...c, sla }, c.version, [makeEvent(deps.ids, c.caseId, SLA_ACTIVITIES.slaStopped, at, SYSTEM, { reason })])
    .catch((error: unknown) => {
      if (!(error instanceof ConflictError)) throw error;
    });
}

export function makeScheduleSla(deps: SlaWorkflowDeps) {
  return async function scheduleSla(input: SlaTaskInput): Promise<SlaStep> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const loaded = await loadClock(deps, input);
      const now = deps.clock.now();
      const at = now.toISOString();
      let next: CaseRecord;
      let events: CaseEvent[];
      let ctx: SlaContext;
      let extra: string[] = [];
      if ('stop' in loaded) {
        if (loaded.stop !== 'no clock yet' || !loaded.c || !loaded.config) {
          if (loaded.c && loaded.stop.startsWith('SLA policy')) await stopClock(deps, loaded.c, loaded.stop);
          return done(input, 0, loaded.stop);
        }
        const c = loaded.c;
        if (isClosed(c.status)) return done(input, 0, `the case is ${c.status}: no clock to start`);
        const started = startSla(c, loaded.config, now, input.generation);
        if (!started.sla) return done(input, 0, started.reasons.join('; '));
        ctx = slaContext(loaded.config, started.sla.policyId)!;
        next = { ...c, sla: started.sla };
        events = slaEvents(deps.ids, c.caseId, at, SYSTEM, started.events);
        extra = started.reasons;
      } else {
        ctx = loaded.ctx;
        const synced = syncSla(loaded.c.sla!, loaded.c, ctx, now);
        next = { ...loaded.c, sla: { ...synced.sla, generation: input.generation } };
        events = slaEvents(deps.ids, loaded.c.caseId, at, SYSTEM, synced.events);
        if (loaded.c.sla!.generation < input.generation) extra = [`generation ${input.generation} takes over the clock from ${loaded.c.sla!.generation}`];
      }
      const schedule = nextSlaDeadline(next, ctx, now);
      next = { ...next, sla: withNext(next.sla!, schedule) };
      const original = 'stop' in loaded ? loaded.c! : loaded.c;
      try {
        await deps.cases.update(next, original.version, events);
      } catch (error) {
        if (error instanceof ConflictError) continue;
        throw error;
      }
      return step(input, 0, schedule, extra);
    }
    throw new ConflictError(`case ${input.caseId} kept changing while scheduling its SLA clock`);
  };
}

export function makeEvaluateSla(deps: EvaluateSlaDeps) {
  return async function evaluate(input: SlaTaskInput): Promise<SlaStep> {
    const loops = (input.loops ?? 0) + 1;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const loaded = await loadClock(deps, input);
      if ('stop' in loaded) {
        if (loaded.c && loaded.stop.startsWith('SLA policy')) await stopClock(deps, loaded.c, loaded.stop);
        return done(input, loops, loaded.stop);
      }
      const { c, config, ctx } = loaded;
      const now = deps.clock.now();
      const at = now.toISOString();
      const evaluation = evaluateSla(c, ctx, now);
      const schedule = nextSlaDeadline(evaluation.case, ctx, now);
      const next: CaseRecord = {
        ...evaluation.case,
        sla: withNext(evaluation.case.sla!, schedule),
        ...(evaluation.actions.length > 0 ? { updatedAt: at } : {}),
      };
      const events = [...slaEvents(deps.ids, c.caseId, at, SYSTEM, evaluation.events), ...actionEvents(deps.ids, c, next, config, evaluation.actions, at)];
      try {
        await deps.cases.update(next, c.version, events);
      } catch (error) {
        if (error instanceof ConflictError) continue;
        throw error;
      }
      // Written first, then told: a lost race never notifies twice, and every notice has its event.
      await notify(deps, next, config, evaluation.actions, at);
      const reassigned: string[] = [];
      for (const action of evaluation.actions) {
        if (action.type !== 'escalate' || !action.reassignTo) continue;
        reassigned.push(await escalateTo(deps, next, config, action));
      }
      const reasons = [...evaluation.reasons, ...reassigned];
      if (!schedule.done && input.maxLoops !== undefined && loops >= input.maxLoops) {
        return {
          ...step(input, loops, schedule, reasons),
          next: 'continue',
          reasons: [...reasons, `${loops} loops: continuing as generation ${input.generation + 1}`],
        };
      }
      return step(input, loops, schedule, reasons);
    }
    throw new ConflictError(`case ${input.caseId} kept changing while evaluating its SLA clock`);
  };
}

/** Starts the next generation of the case's execution (the history limit), which takes over the clock. */
export function makeContinueSla(deps: { workflow: WorkflowStarter }) {
  return async function continueSla(input: SlaTaskInput): Promise<{ caseId: string; generation: number; continuedAs: number }> {
    const generation = input.generation + 1;
    await deps.workflow.startCase(input.caseId, { generation });
    return { caseId: input.caseId, generation: input.generation, continuedAs: generation };
  };
}

function label(milestone: string): string {
  return milestone.replace('_', ' ');
}

function actionEvents(ids: IdGenerator, before: CaseRecord, after: CaseRecord, config: RoutingConfig, actions: SlaAction[], at: string): CaseEvent[] {
  const events: CaseEvent[] = [];
  for (const action of actions) {
    const recipients = resolveRecipients(before, config, action.notify);
    const notify = [...recipients.agents.map((a) => a.agentId), ...(recipients.admins ? ['admins'] : [])];
    const m = after.sla?.milestones[action.milestone];
    if (action.type === 'warn') {
      events.push(
        makeEvent(ids, before.caseId, SLA_ACTIVITIES.slaWarning, at, SYSTEM, {
          milestone: action.milestone,
          dueAt: action.dueAt,
          remainingMs: action.remainingMs,
          notify,
          reason: action.reason,
        }),
      );
    } else if (action.type === 'breach') {
      events.push(
        makeEvent(ids, before.caseId, SLA_ACTIVITIES.slaViolated, at, SYSTEM, {
          milestone: action.milestone,
          target: m?.target ?? null,
          breachedAt: action.dueAt,
          priority: before.priority,
          notify,
          reason: action.reason,
        }),
      );
    } else {
      events.push(
        makeEvent(ids, before.caseId, SLA_ACTIVITIES.slaEscalated, at, SYSTEM, {
          milestone: action.milestone,
          level: action.level,
          raisePriority: action.raisePriority ?? null,
          reassignTo: action.reassignTo ?? null,
          notify,
          reason: action.reason,
        }),
      );
      if (action.raisePriority) {
        events.push(
          makeEvent(ids, before.caseId, ACTIVITIES.prioritised, at, SYSTEM, {
            from: action.raisePriority.from,
            to: action.raisePriority.to,
            cause: 'sla_escalation',
            milestone: action.milestone,
            level: action.level,
          }),
        );
      }
    }
  }
  return events;
}

function noticeText(c: CaseRecord, action: SlaAction): { kind: string; subject: string; text: string } {
  const m = c.sla?.milestones[action.milestone];
  const what = label(action.milestone);
  if (action.type === 'warn') {
    return {
      kind: 'sla_warning',
      subject: `Case ${c.caseNumber}: ${what} due in ${formatMs(action.remainingMs)}`,
      text: `${caseSummary(c)}\n\nThe ${what} target (${m?.target ?? '?'}) is due at ${action.dueAt}.\n${action.reason}`,
    };
  }
  if (action.type === 'breach') {
    return {
      kind: 'sla_breach',
      subject: `Case ${c.caseNumber}: ${what} target missed`,
      text: `${caseSummary(c)}\n\nThe ${what} target (${m?.target ?? '?'}) was missed at ${action.dueAt}.\n${action.reason}`,
    };
  }
  const effects = [
    action.raisePriority ? `priority raised from ${action.raisePriority.from} to ${action.raisePriority.to}` : '',
    action.reassignTo ? `reassigned to ${action.reassignTo === 'supervisor' ? 'the supervisor' : `queue ${action.reassignTo.queue}`}` : '',
  ].filter(Boolean);
  return {
    kind: 'sla_escalation',
    subject: `Case ${c.caseNumber}: ${what} escalated (level ${action.level})`,
    text: `${caseSummary(c)}\n\nThe ${what} target was missed${m?.breachedAt ? ` at ${m.breachedAt}` : ''}; escalation level ${action.level}${effects.length ? `: ${effects.join(', ')}` : ''}.\n${action.reason}`,
  };
}

async function notify(deps: EvaluateSlaDeps, c: CaseRecord, config: RoutingConfig, actions: SlaAction[], at: string): Promise<void> {
  for (const action of actions) {
    if (action.notify.length === 0) continue;
    const recipients = resolveRecipients(c, config, action.notify);
    const text = noticeText(c, action);
    const from = notificationFrom(config, deps.defaultFromAddress);
    try {
      await deps.notifier.notify({
        notificationId: deps.ids.next(),
        at,
        caseId: c.caseId,
        caseNumber: c.caseNumber,
        ...text,
        agents: recipients.agents,
        admins: recipients.admins,
        ...(from ? { from } : {}),
      });
    } catch (error) {
      // The action itself is on record; a notice that could not go out is recorded beside it, and
      // the loop goes on (retrying the task would not resend it: the action is already taken).
      await deps.cases
        .get(c.caseId)
        .then((fresh) =>
          fresh
            ? deps.cases.update(fresh, fresh.version, [
                makeEvent(deps.ids, c.caseId, ACTIVITIES.notificationFailed, at, SYSTEM, {
                  kind: text.kind,
                  error: (error as Error).message?.slice(0, 500) ?? String(error),
                }),
              ])
            : undefined,
        )
        .catch(() => undefined);
    }
  }
}

async function escalateTo(deps: EvaluateSlaDeps, c: CaseRecord, config: RoutingConfig, action: Extract<SlaAction, { type: 'escalate' }>): Promise<string> {
  const reassignTo = action.reassignTo!;
  const reason = `SLA escalation level ${action.level} of ${label(action.milestone)}: ${action.reason}`;
  if (reassignTo === 'supervisor') {
    const owner = c.owner ? config.agents.find((a) => a.id === c.owner) : undefined;
    if (!owner?.supervisor) return `escalation ${action.level}: ${c.owner ? `${c.owner} has no supervisor` : 'the case has no owner'}; not reassigned`;
    const result = await deps.reassign(c.caseId, {
      reason,
      cause: 'sla_escalation',
      actor: SYSTEM,
      target: { kind: 'agent', agentId: owner.supervisor },
      guard: (fresh) => (fresh.owner === owner.supervisor ? `already with ${owner.supervisor}` : undefined),
      details: { milestone: action.milestone, level: action.level },
    });
    return result.moved
      ? `escalation ${action.level}: reassigned from ${owner.id} to ${result.owner ?? `queue ${result.queue}`}`
      : `escalation ${action.level}: not reassigned (${result.skipped})`;
  }
  const result = await deps.reassign(c.caseId, {
    reason,
    cause: 'sla_escalation',
    actor: SYSTEM,
    target: { kind: 'queue', queueId: reassignTo.queue },
    guard: (fresh) => (fresh.queue === reassignTo.queue && fresh.routing.pinnedQueue === reassignTo.queue ? `already in queue ${reassignTo.queue}` : undefined),
    details: { milestone: action.milestone, level: action.level },
  });
  return result.moved
    ? `escalation ${action.level}: moved to queue ${reassignTo.queue}${result.owner ? `, assigned to ${result.owner}` : ''}`
    : `escalation ${action.level}: not moved (${result.skipped})`;
}
