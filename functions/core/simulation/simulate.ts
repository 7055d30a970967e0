import type { AgentState } from '../agent-state.js';
import { initialAgentState, spareCapacity, utilisation } from '../agent-state.js';
import { isOpenAt } from '../business-hours.js';
import { addBusinessTime, businessTimeBetween, nextOpening, openUntil, workingDayEndedBetween } from '../business-time.js';
import type { CaseRecord, MilestoneName } from '../case.js';
import { MILESTONES } from '../case.js';
import type { Agent, BusinessHours, Channel, ConditionNode, RoutingConfig } from '../config.js';
import { CHANNELS, priorityRank } from '../config.js';
import { SYSTEM } from '../events.js';
import type { IdGenerator } from '../ports/clock.js';
import type { CompiledRouting, CustomerHistory, EngineDecision } from '../routing/engine.js';
import { compileRouting, decideRouting } from '../routing/engine.js';
import { evaluateSla, nextSlaDeadline, slaContext, startSla, syncSla } from '../sla.js';
import { dispatchOrder, QUEUE_HEAD, queuesServedBy } from '../use-cases/dispatch.js';
import { assignedCase, queuedCase } from '../use-cases/route-case.js';
import { firstResponseChange, slaAfterChange } from '../use-cases/sla-clock.js';
import { dispatchCandidates } from '../use-cases/sweep.js';
import type { Arrival, ArrivalSource } from './arrivals.js';
import type { Distribution } from './distributions.js';
import { iso } from './clock.js';
import { EventQueue } from './event-queue.js';
import { randomAt, STREAMS } from './random.js';
import { buildCase, stamp } from './stamping.js';
import { summarise, type Summary } from './stats.js';
import { type ArrivalCell, type Timeline, timelineOf, type WaitingCell } from './timeline.js';

export type { Timeline } from './timeline.js';
import { WaitingIndex, type WaitingEntry } from './waiting-index.js';

/**
 * A discrete-event simulation of caseflow's routing on a virtual clock (docs/simulation.md#the-model).
 *
 * Nothing here decides who gets a case: the routing engine does (`decideRouting`), with the very
 * calls the workflow's use cases make. A new case is stamped (normalised, prioritised, given its
 * territory and queue) and routed as `routeCase` routes it; the winner claims it (`assignedCase`),
 * accepts it at once and holds it for its handle time; nobody able ▶ it waits in its queue
 * (`queuedCase`). When capacity frees (a case resolved, an agent coming on shift) the freed agent
 * is offered the head of the queues they serve in dispatch order, each case decided by the engine
 * with only that agent's state, as `dispatchToAgent` does; the sweep runs on its schedule and does
 * the same for every queue with cases waiting (so requirements relax with time waited), and moves
 * the cases of agents whose shift ended where the queue asks for it. SLA clocks run on the real SLA
 * code: started when the case is routed, the first response counted when an agent takes the case,
 * evaluated at each deadline (warnings, breaches, escalations that raise the priority or move the
 * case), stopped at resolution.
 *
 * Time is injected (the arrivals' instants), randomness is seeded and addressed per case
 * (random.ts), so a run is a pure function of its input.
 */

export interface HandleModel {
  /** Drawn for every case, with the case's own random numbers. */
  distribution: Distribution;
  /** Replaying a log: each case keeps the handle time it had there (falling back to the distribution). */
  useObserved?: boolean;
}

export interface SimulationSetup {
  config: RoutingConfig;
  arrivals: ArrivalSource;
  handle: HandleModel;
  seed: number;
  /** Arrivals before start + warmupMs are simulated but left out of every figure. */
  warmupMs?: number;
  /** After the last arrival (the window's end), keep going this long so waiting cases can be taken. */
  drainMs?: number;
  /** Minutes between sweeps (the deployed default: every minute). */
  sweepEveryMs?: number;
  /** `calendars`: an agent is online while their calendar is open (their own, else their first queue's); `always`: online throughout. */
  presence?: 'calendars' | 'always';
  /** `elapsed`: a case is held for its handle time on the wall clock; `business`: only the owner's working hours count. */
  workTime?: 'elapsed' | 'business';
  /** The zone of the chart's time of day. */
  timezone?: string;
  /** Width of the chart's time-of-day bins. */
  binMs?: number;
  /** Called now and then with the share of simulated time done (0..1). */
  onProgress?: (done: number) => void;
  /**
   * Run every sweep, even those the simulator can tell would change nothing (no capacity freed, no
   * case newly waiting, nothing time-driven since the last sweep that took nothing). Slower; the
   * result is the same, which a test checks.
   */
  sweepEvenWhenIdle?: boolean;
  /** Told of every arrival and every first assignment (for analyses beyond the figures, such as the theory checks). */
  observer?: SimulationObserver;
}

export interface SimulationObserver {
  arrived?(index: number, at: number, handleMs: number, measured: boolean): void;
  firstAssigned?(index: number, waitMs: number, measured: boolean): void;
}

export interface QueueWaitFigures {
  queue: string;
  priority?: string;
  wait: Summary;
}

export interface SlaFigures {
  policy: string;
  milestone: MilestoneName;
  met: number;
  metLate: number;
  /** Open at the end and past the target. */
  missedOpen: number;
  /** Open at the end with time left. */
  pending: number;
  /** met / (met + metLate + missedOpen). */
  attainment: number;
}

export interface AgentFigures {
  agentId: string;
  /** Time-average share of the agent's capacity in use (the least_busy score). */
  utilisation: number;
  /** Share of the measured time the agent was online. */
  online: number;
  /** Cases the agent resolved. */
  resolved: number;
  /** Cases the agent was given (first assignments and later ones). */
  assigned: number;
}

export interface SimulationResult {
  seed: number;
  window: { start: string; end: string; measuredFrom: string; stoppedAt: string };
  arrivals: { total: number; measured: number; needsReview: number };
  /** Wait from arrival to the first assignment, of measured cases that were assigned. */
  wait: Summary;
  byQueue: QueueWaitFigures[];
  byPriority: QueueWaitFigures[];
  byQueueAndPriority: QueueWaitFigures[];
  /** Share of measured cases assigned within each of these waits (for targets). */
  stillWaiting: { total: number; byQueue: Record<string, { count: number; oldestMs: number; meanAgeMs: number }> };
  sla: SlaFigures[];
  agents: AgentFigures[];
  reassignments: { total: number; byCause: Record<string, number> };
  assignments: {
    total: number;
    /** How each assignment came about. */
    byPath: Record<string, number>;
    /** Assignments to a member of the overflow queue. */
    overflow: number;
    /** Assignments where customer history put the winner first. */
    preferred: number;
    /** Assignments of cases with requirements (a rule's skills, a language) by how far they had relaxed (0: as required). */
    byRelaxationStage: Record<string, number>;
  };
  timeline: Timeline;
  /** Waits of measured cases by home queue, raw, for targets (milliseconds; censored cases excluded). */
  waitsByQueue: Record<string, number[]>;
  /** Measured cases per home queue still waiting at the end: their ages then (milliseconds). */
  censoredByQueue: Record<string, number[]>;
  /** Measured arrivals per home queue, by channel. */
  arrivalsByQueue: Record<string, Partial<Record<Channel, number>>>;
  /** Sweeps whose dispatch part ran, and those skipped because nothing they could act on had changed. */
  sweeps: { run: number; skipped: number };
  events: number;
}

const ARRIVAL = 1;
const COMPLETE = 2;
const SWEEP = 3;
const SLA = 4;
const CALENDAR = 5;
const RELAX = 6;

interface SimCase extends WaitingEntry {
  rec: CaseRecord;
  arrivalAt: number;
  homeQueue: string;
  arrivalPriority: string;
  measured: boolean;
  handleMs: number;
  remainingMs: number;
  firstAssignedAt: number;
  servedSince: number;
  owner: number;
  token: number;
  slaToken: number;
}

interface SimAgent {
  agent: Agent;
  index: number;
  state: AgentState;
  served: string[];
  presenceCalendar?: number;
  busyArea: number;
  onlineMs: number;
  lastTouch: number;
  resolved: number;
  assigned: number;
  cases: Set<SimCase>;
}

interface CalendarTrack {
  calendar: BusinessHours;
  open: boolean;
  /** Agents whose presence follows it. */
  agents: number[];
  /** Used by an end-of-shift queue. */
  endOfShift: boolean;
  lastClosedAt: number;
}

const ids: IdGenerator = { next: () => 'sim' };

/**
 * The states dispatch decides with: this agent's, and everyone else offline, exactly as
 * `dispatchToAgent` passes a map holding only the freed agent's state (an agent without a state is
 * offline to the engine). A view rather than a new map per decision, with the offline states made
 * once.
 */
class SoleAgentStates implements ReadonlyMap<string, AgentState> {
  private offline = new Map<string, AgentState>();
  agentId = '';
  state!: AgentState;
  constructor(private readonly startIso: string) {}
  get(id: string): AgentState | undefined {
    if (id === this.agentId) return this.state;
    let s = this.offline.get(id);
    if (!s) this.offline.set(id, (s = initialAgentState(id, this.startIso)));
    return s;
  }
  has(id: string): boolean {
    return id === this.agentId;
  }
  get size(): number {
    return 1;
  }
  forEach(fn: (value: AgentState, key: string, map: ReadonlyMap<string, AgentState>) => void): void {
    fn(this.state, this.agentId, this);
  }
  *entries(): MapIterator<[string, AgentState]> {
    yield [this.agentId, this.state];
  }
  *keys(): MapIterator<string> {
    yield this.agentId;
  }
  *values(): MapIterator<AgentState> {
    yield this.state;
  }
  [Symbol.iterator](): MapIterator<[string, AgentState]> {
    return this.entries();
  }
}
/** Does any condition read `now` (the evaluation instant)? Then routing can change with time alone. */
function readsNow(node: ConditionNode): boolean {
  if ('all' in node) return node.all.some(readsNow);
  if ('any' in node) return node.any.some(readsNow);
  if ('not' in node) return node.not.some(readsNow);
  return node.field === 'now';
}

export function simulate(setup: SimulationSetup): SimulationResult {
  const { config, seed } = setup;
  const compiled: CompiledRouting = compileRouting(config);
  const start = setup.arrivals.start;
  const end = setup.arrivals.end;
  const measureFrom = start + (setup.warmupMs ?? 0);
  const stopAt = end + (setup.drainMs ?? 0);
  const sweepEvery = setup.sweepEveryMs ?? 60_000;
  const presenceMode = setup.presence ?? 'calendars';
  const workTime = setup.workTime ?? 'elapsed';
  const binMs = setup.binMs ?? 30 * 60_000;
  const timezone = setup.timezone ?? 'UTC';
  const queue = new EventQueue();
  const waiting = new WaitingIndex();
  const states = new Map<string, AgentState>();
  const sole = new SoleAgentStates(iso(start));
  const soleAgent = (agentId: string, state: AgentState) => {
    sole.agentId = agentId;
    sole.state = state;
    return sole;
  };
  const cases = new Map<number, SimCase>();
  const hasSla = config.slaPolicies.length > 0;
  const timeRules = config.rules.some((r) => readsNow(r.when));
  const rulesWithSkills = new Set(config.rules.filter((r) => (r.then.requireSkills?.length ?? 0) > 0).map((r) => r.id));
  // Relaxation drops skill requirements (only rules have them) and then the language one (only agents who list languages are filtered by it).
  const relaxMatters =
    compiled.relaxAfterMs > 0 && (config.rules.some((r) => (r.then.requireSkills?.length ?? 0) > 0) || config.agents.some((a) => a.languages.length > 0));

  // Agents, their presence calendars and the calendars that gate them.
  const calendarIndex = new Map<string, number>();
  const calendars: CalendarTrack[] = [];
  const trackCalendar = (id: string | undefined): number | undefined => {
    if (!id) return undefined;
    const known = calendarIndex.get(id);
    if (known !== undefined) return known;
    const calendar = compiled.calendars.get(id);
    if (!calendar) return undefined;
    calendars.push({ calendar, open: false, agents: [], endOfShift: false, lastClosedAt: Number.NEGATIVE_INFINITY });
    calendarIndex.set(id, calendars.length - 1);
    return calendars.length - 1;
  };
  const agents: SimAgent[] = config.agents.map((agent, index) => {
    const queueCalendar = config.queues.find((q) => q.members.includes(agent.id) && q.businessHours)?.businessHours;
    const presenceCalendar = presenceMode === 'calendars' ? trackCalendar(agent.businessHours ?? queueCalendar) : undefined;
    trackCalendar(agent.businessHours);
    if (presenceCalendar !== undefined) calendars[presenceCalendar]!.agents.push(index);
    return {
      agent,
      index,
      state: { agentId: agent.id, presence: 'offline', presenceSince: iso(start), load: { email: 0, web: 0, phone: 0, chat: 0 }, version: 0 },
      served: queuesServedBy(compiled, agent.id),
      ...(presenceCalendar !== undefined ? { presenceCalendar } : {}),
      busyArea: 0,
      onlineMs: 0,
      lastTouch: measureFrom,
      resolved: 0,
      assigned: 0,
      cases: new Set(),
    };
  });
  const agentByIdIndex = new Map(agents.map((a) => [a.agent.id, a]));
  const candidatesOf = new Map(config.queues.map((q) => [q.id, dispatchCandidates(config, q)]));
  for (const q of config.queues) {
    if (!q.reassignAtEndOfShift) continue;
    for (const m of q.members) {
      const a = agentByIdIndex.get(m);
      const c = trackCalendar(a?.agent.businessHours ?? q.businessHours);
      if (c !== undefined) calendars[c]!.endOfShift = true;
    }
  }

  // Figures.
  const waitsByGroup = new Map<string, number[]>();
  const addWait = (key: string, ms: number) => {
    let list = waitsByGroup.get(key);
    if (!list) waitsByGroup.set(key, (list = []));
    list.push(ms);
  };
  const slaTally = new Map<string, SlaFigures>();
  const tallySla = (rec: CaseRecord, at: number) => {
    const sla = rec.sla;
    if (!sla) return;
    const ctx = slaContext(config, sla.policyId);
    let clock = sla;
    if (ctx && rec.status !== 'resolved') clock = syncSla(sla, rec, ctx, new Date(at)).sla;
    for (const name of MILESTONES) {
      const m = clock.milestones[name];
      if (!m) continue;
      const key = `${sla.policyId}|${name}`;
      let t = slaTally.get(key);
      if (!t) slaTally.set(key, (t = { policy: sla.policyId, milestone: name, met: 0, metLate: 0, missedOpen: 0, pending: 0, attainment: 0 }));
      if (m.status === 'met') t.met++;
      else if (m.status === 'met_late') t.metLate++;
      else if (m.breachedAt || m.consumedMs >= m.targetMs) t.missedOpen++;
      else t.pending++;
    }
  };
  const reassignCauses: Record<string, number> = {};
  const arrivalsByQueue: Record<string, Partial<Record<Channel, number>>> = {};
  const byPath: Record<string, number> = {};
  const byStage: Record<string, number> = {};
  let overflowAssignments = 0;
  let preferredAssignments = 0;
  let totalAssignments = 0;
  let arrivalsTotal = 0;
  let arrivalsMeasured = 0;
  let needsReview = 0;
  let events = 0;

  // Timeline: waiting count integrated over absolute bins, mapped to local time of day at the end.
  const absWaiting = new Map<number, WaitingCell>();
  const absArrivals = new Map<number, ArrivalCell>();
  let lastWaitingChange = measureFrom;
  const waitingNow = new Map<string, number>();
  const integrateWaiting = (now: number) => {
    let from = Math.max(lastWaitingChange, measureFrom);
    const to = Math.min(now, stopAt);
    while (from < to) {
      const bin = Math.floor(from / binMs);
      const binEnd = (bin + 1) * binMs;
      const upto = Math.min(binEnd, to);
      const dt = upto - from;
      let cell = absWaiting.get(bin);
      if (!cell) absWaiting.set(bin, (cell = { area: 0, byQueue: new Map() }));
      for (const [q, n] of waitingNow) {
        if (n === 0) continue;
        cell.area += n * dt;
        cell.byQueue.set(q, (cell.byQueue.get(q) ?? 0) + n * dt);
      }
      from = upto;
    }
    lastWaitingChange = Math.max(lastWaitingChange, now);
  };
  const arrivalCell = (at: number) => {
    const bin = Math.floor(at / binMs);
    let cell = absArrivals.get(bin);
    if (!cell) absArrivals.set(bin, (cell = { arrivals: 0, waitSum: 0, assigned: 0 }));
    return cell;
  };

  // Sweep bookkeeping: a sweep whose dispatch part would find exactly what the last one found
  // (nothing: no capacity freed, no case newly waiting, no time-driven change) is skipped.
  let dirty = true;
  let lastSweep = start;
  let sweepsRun = 0;
  let sweepsSkipped = 0;
  let endOfShiftDue = false;

  const touchAgent = (a: SimAgent, now: number) => {
    const from = Math.max(a.lastTouch, measureFrom);
    const to = Math.min(now, stopAt);
    if (to > from) {
      a.busyArea += utilisation(a.agent, a.state) * (to - from);
      if (a.state.presence === 'online') a.onlineMs += to - from;
    }
    a.lastTouch = Math.max(a.lastTouch, now);
  };
  const setState = (a: SimAgent, state: AgentState) => {
    a.state = state;
    states.set(a.agent.id, state);
  };

  /** Keeps the waiting index in step with the case's record: queued ▶ in its queue at its rank, anything else ▶ out. */
  const syncWaiting = (sc: SimCase, now: number) => {
    const rec = sc.rec;
    const before = sc.queue;
    if (rec.status === 'queued' && rec.queue) {
      const moved = waiting.place(sc, rec.queue, rec.priorityRank);
      if (moved) {
        integrateWaiting(now);
        if (before !== undefined) waitingNow.set(before, (waitingNow.get(before) ?? 0) - 1);
        waitingNow.set(rec.queue, (waitingNow.get(rec.queue) ?? 0) + 1);
        dirty = true;
        // Requirements relax at multiples of relaxSkillsAfter: the sweep must look again then.
        if (relaxMatters && rec.routing.queuedAt) {
          const queuedAt = Date.parse(rec.routing.queuedAt);
          for (let k = 1; k <= 3; k++) {
            const at = queuedAt + k * compiled.relaxAfterMs;
            if (at > now && at <= stopAt) queue.push(at, RELAX);
          }
        }
      }
    } else if (before !== undefined) {
      integrateWaiting(now);
      waitingNow.set(before, (waitingNow.get(before) ?? 0) - 1);
      waiting.remove(sc);
    }
  };

  const historyFor = (rec: CaseRecord): CustomerHistory => {
    const h: CustomerHistory = {};
    const contact = rec.contact.email ? lastByContact.get(rec.contact.email) : undefined;
    const account = rec.account?.id ? lastByAccount.get(rec.account.id) : undefined;
    if (contact) h.contactResolver = contact;
    if (account) h.accountResolver = account;
    return h;
  };
  const lastByContact = new Map<string, string>();
  const lastByAccount = new Map<string, string>();

  const scheduleSla = (sc: SimCase, now: number) => {
    if (!sc.rec.sla) return;
    const ctx = slaContext(config, sc.rec.sla.policyId);
    if (!ctx) return;
    const next = nextSlaDeadline(sc.rec, ctx, new Date(now));
    if (next.done) return;
    const at = Math.max(now, Date.parse(next.wakeAt));
    if (at <= stopAt) queue.push(at, SLA, sc.index, ++sc.slaToken);
  };

  const completionAt = (a: SimAgent, now: number, ms: number): number => {
    if (workTime === 'business' && a.presenceCalendar !== undefined)
      return addBusinessTime(new Date(now), ms, calendars[a.presenceCalendar]!.calendar).getTime();
    return now + ms;
  };
  const workedSince = (a: SimAgent, since: number, now: number): number => {
    if (workTime === 'business' && a.presenceCalendar !== undefined) {
      return businessTimeBetween(new Date(since), new Date(now), calendars[a.presenceCalendar]!.calendar);
    }
    return now - since;
  };

  /** The claim: the case moves to its owner, who takes one unit of capacity on its channel and accepts at once. */
  const give = (sc: SimCase, a: SimAgent, next: CaseRecord, now: number, path: string, decision?: EngineDecision) => {
    const at = iso(now);
    touchAgent(a, now);
    const load = { ...a.state.load, [next.channel]: (a.state.load[next.channel] ?? 0) + 1 };
    setState(a, { ...a.state, load, lastAssignedAt: at, version: a.state.version + 1 });
    // The agent accepts the offer at once: the case is theirs, in progress.
    let rec: CaseRecord = { ...next, status: 'in_progress', due: undefined, updatedAt: at };
    const first = sc.firstAssignedAt < 0;
    if (first && hasSla) {
      // The first reply goes out when an agent takes the case.
      const change = firstResponseChange(rec, config, at, ids, { kind: 'agent', id: a.agent.id });
      if (change) rec = change.case;
    }
    sc.rec = rec;
    // A case taken from a queue changes what the head of that queue shows to everyone else.
    if (sc.queue !== undefined) dirty = true;
    syncWaiting(sc, now);
    sc.owner = a.index;
    sc.servedSince = now;
    a.cases.add(sc);
    a.assigned++;
    if (first) {
      sc.firstAssignedAt = now;
      setup.observer?.firstAssigned?.(sc.index, now - sc.arrivalAt, sc.measured);
      if (sc.measured) {
        const wait = now - sc.arrivalAt;
        addWait(`q|${sc.homeQueue}`, wait);
        addWait(`p|${sc.arrivalPriority}`, wait);
        addWait(`qp|${sc.homeQueue}|${sc.arrivalPriority}`, wait);
        const cell = arrivalCell(sc.arrivalAt);
        cell.waitSum += wait;
        cell.assigned++;
      }
    }
    if (sc.measured) {
      totalAssignments++;
      byPath[path] = (byPath[path] ?? 0) + 1;
      if (decision) {
        // The stage only says something for a case that had requirements to relax: skills from its rule, or a language.
        if (next.language || (decision.rule && rulesWithSkills.has(decision.rule.id))) {
          byStage[decision.relaxationStage] = (byStage[decision.relaxationStage] ?? 0) + 1;
        }
        const won = decision.ranking[0]?.agentId === a.agent.id ? decision.ranking[0] : decision.ranking.find((r) => r.agentId === a.agent.id);
        if (won && won.queue !== decision.queue) overflowAssignments++;
        const step = decision.steps[decision.steps.length - 1];
        if (step?.candidates.some((c) => c.agentId === a.agent.id && c.preferredBecause && c.rank === 1)) preferredAssignments++;
      }
    }
    queue.push(completionAt(a, now, sc.remainingMs), COMPLETE, sc.index, ++sc.token);
    if (hasSla) scheduleSla(sc, now);
  };

  /** `routeCase`: the engine decides with every agent's state and the customer's history; the first in the ranking claims it, else it waits. */
  const route = (sc: SimCase, now: number, path: string) => {
    const decision = decideRouting({ case: sc.rec, compiled, states, history: historyFor(sc.rec), now: new Date(now) });
    const first = decision.ranking[0];
    const at = iso(now);
    if (path === 'arrival') {
      // For the figures, a case belongs to the queue the engine files it under (where it waits when nobody can take it).
      sc.homeQueue = decision.queue;
      sc.arrivalPriority = decision.setPriority?.priority ?? sc.rec.priority;
      if (sc.measured) {
        const byChannel = (arrivalsByQueue[decision.queue] ??= {});
        byChannel[sc.rec.channel] = (byChannel[sc.rec.channel] ?? 0) + 1;
      }
    }
    if (first) {
      const a = agentByIdIndex.get(first.agentId)!;
      give(sc, a, assignedCase(sc.rec, decision, first.agentId, first.queue, 'sim', at), now, path, decision);
      return;
    }
    const rec = sc.rec;
    const samePlace = rec.status === 'queued' && rec.queue === decision.queue && !decision.setPriority;
    if (!samePlace) sc.rec = queuedCase(rec, decision, 'sim', at);
    syncWaiting(sc, now);
  };

  /** `dispatchToAgent`: the agent is offered the best waiting cases of the queues they serve, each decided by the engine with their state alone. */
  const dispatchToAgent = (a: SimAgent, now: number, path: string): number => {
    if (a.state.presence !== 'online') return 0;
    const heads: SimCase[] = [];
    for (const q of a.served) for (const e of waiting.head(q, QUEUE_HEAD)) heads.push(e as SimCase);
    if (heads.length === 0) return 0;
    if (a.served.length > 1) heads.sort((x, y) => dispatchOrder(x.rec, y.rec));
    let taken = 0;
    const date = new Date(now);
    for (const sc of heads) {
      if (a.state.presence !== 'online') break;
      if (sc.rec.status !== 'queued') continue;
      // The engine's capacity filter would turn this one down; asking it is only slower.
      if (spareCapacity(a.agent, a.state, sc.rec.channel) <= 0) continue;
      const decision = decideRouting({ case: sc.rec, compiled, states: soleAgent(a.agent.id, a.state), now: date });
      const mine = decision.ranking.find((r) => r.agentId === a.agent.id);
      if (!mine) continue;
      give(sc, a, assignedCase(sc.rec, decision, a.agent.id, mine.queue, 'sim', iso(now)), now, path, decision);
      taken++;
    }
    return taken;
  };

  /** The capacity of a case goes back to its owner (resolved, or reassigned). */
  const release = (sc: SimCase, now: number) => {
    if (sc.owner < 0) return;
    const a = agents[sc.owner]!;
    touchAgent(a, now);
    const channel = sc.rec.channel;
    const load = { ...a.state.load, [channel]: Math.max(0, (a.state.load[channel] ?? 0) - 1) };
    setState(a, { ...a.state, load, version: a.state.version + 1 });
    a.cases.delete(sc);
    sc.owner = -1;
    sc.token++;
    dirty = true;
  };

  /** `reassign`: the case leaves its owner for a reason the system found, waits again, and is routed (or claimed by a named agent). */
  const reassign = (
    sc: SimCase,
    now: number,
    cause: string,
    target: { kind: 'route' } | { kind: 'agent'; agentId: string } | { kind: 'queue'; queueId: string },
  ) => {
    const at = iso(now);
    const c = sc.rec;
    const owner = sc.owner >= 0 ? agents[sc.owner]! : undefined;
    if (owner) sc.remainingMs = Math.max(0, sc.remainingMs - workedSince(owner, sc.servedSince, now));
    const moved: CaseRecord = {
      ...c,
      status: 'queued',
      owner: undefined,
      queue: target.kind === 'queue' ? target.queueId : (c.queue ?? config.reviewQueue),
      due: undefined,
      updatedAt: at,
      routing: { ...c.routing, queuedAt: at, ...(target.kind === 'queue' ? { pinnedQueue: target.queueId } : {}) },
    };
    sc.rec = hasSla ? slaAfterChange(c, moved, config, at, ids, SYSTEM, []).case : moved;
    release(sc, now);
    if (sc.measured) reassignCauses[cause] = (reassignCauses[cause] ?? 0) + 1;
    syncWaiting(sc, now);
    if (target.kind === 'agent') {
      const a = agentByIdIndex.get(target.agentId);
      // The claim's own condition: online, with room on the channel (not the routing filters).
      if (a && a.state.presence === 'online' && (a.state.load[sc.rec.channel] ?? 0) < a.agent.capacity[sc.rec.channel]) {
        const r = sc.rec;
        give(
          sc,
          a,
          { ...r, status: 'assigned', owner: a.agent.id, updatedAt: at, routing: { ...r.routing, attempts: r.routing.attempts + 1, queuedAt: undefined } },
          now,
          cause,
        );
        return;
      }
    }
    route(sc, now, cause);
    if (hasSla) scheduleSla(sc, now);
  };

  const arrive = (arrival: Arrival, index: number, now: number) => {
    arrivalsTotal++;
    const measured = arrival.at >= measureFrom;
    if (measured) {
      arrivalsMeasured++;
      arrivalCell(arrival.at).arrivals++;
    }
    const rec = stamp(buildCase(arrival, index, now, config), config, arrival.fields);
    const random = randomAt(seed, STREAMS.handle, index);
    const drawn = setup.handle.distribution.sample(random);
    const handleMs = Math.max(0, setup.handle.useObserved && arrival.observedHandleMs !== undefined ? arrival.observedHandleMs : drawn);
    const sc: SimCase = {
      index,
      createdMs: now,
      entry: 0,
      rec,
      arrivalAt: now,
      homeQueue: rec.queue ?? config.reviewQueue,
      arrivalPriority: rec.priority,
      measured,
      handleMs,
      remainingMs: handleMs,
      firstAssignedAt: -1,
      servedSince: 0,
      owner: -1,
      token: 0,
      slaToken: 0,
    };
    setup.observer?.arrived?.(index, now, handleMs, measured);
    if (rec.status === 'needs_review') {
      // Outside every territory: a person looks at it; routing never sees it.
      if (measured) needsReview++;
      return;
    }
    cases.set(index, sc);
    if (hasSla) {
      const started = startSla(sc.rec, config, new Date(now), 1);
      if (started.sla) sc.rec = { ...sc.rec, sla: started.sla };
    }
    route(sc, now, 'arrival');
    if (hasSla) scheduleSla(sc, now);
  };

  const complete = (sc: SimCase, now: number) => {
    const a = agents[sc.owner]!;
    const at = iso(now);
    const before = sc.rec;
    const after: CaseRecord = { ...before, status: 'resolved', updatedAt: at };
    sc.rec = hasSla ? slaAfterChange(before, after, config, at, ids, SYSTEM, []).case : after;
    a.resolved++;
    if (sc.measured && hasSla) tallySla(sc.rec, now);
    release(sc, now);
    if (sc.rec.contact.email) lastByContact.set(sc.rec.contact.email, a.agent.id);
    if (sc.rec.account?.id) lastByAccount.set(sc.rec.account.id, a.agent.id);
    cases.delete(sc.index);
    dispatchToAgent(a, now, 'dispatch:resolved');
  };

  const slaWake = (sc: SimCase, now: number) => {
    const rec = sc.rec;
    if (!rec.sla) return;
    const ctx = slaContext(config, rec.sla.policyId);
    if (!ctx) return;
    const evaluation = evaluateSla(rec, ctx, new Date(now));
    const priorityChanged = evaluation.case.priority !== rec.priority;
    sc.rec = evaluation.case;
    if (priorityChanged) {
      syncWaiting(sc, now);
      dirty = true;
    }
    for (const action of evaluation.actions) {
      if (action.type !== 'escalate' || !action.reassignTo) continue;
      const c = sc.rec;
      if (c.status === 'resolved') break;
      if (action.reassignTo === 'supervisor') {
        const owner = c.owner ? agentByIdIndex.get(c.owner) : undefined;
        const supervisor = owner?.agent.supervisor;
        if (!supervisor || c.owner === supervisor) continue;
        reassign(sc, now, 'sla_escalation', { kind: 'agent', agentId: supervisor });
      } else {
        const target = action.reassignTo.queue;
        if (c.queue === target && c.routing.pinnedQueue === target) continue;
        reassign(sc, now, 'sla_escalation', { kind: 'queue', queueId: target });
      }
    }
    scheduleSla(sc, now);
  };

  const sweep = (now: number) => {
    // End of shift: the open cases of members whose working day ended since the last sweep.
    if (endOfShiftDue) {
      endOfShiftDue = false;
      for (const q of config.queues) {
        if (!q.reassignAtEndOfShift) continue;
        const calendarId = (a: Agent) => a.businessHours ?? q.businessHours;
        for (const m of q.members) {
          const a = agentByIdIndex.get(m);
          if (!a) continue;
          const id = calendarId(a.agent);
          const calendar = id ? compiled.calendars.get(id) : undefined;
          if (!calendar || !workingDayEndedBetween(new Date(lastSweep), new Date(now), calendar)) continue;
          for (const sc of [...a.cases]) {
            if (sc.rec.queue !== q.id || (sc.rec.status !== 'in_progress' && sc.rec.status !== 'assigned')) continue;
            reassign(sc, now, 'end_of_shift', { kind: 'route' });
          }
        }
      }
    }
    lastSweep = now;
    if (!dirty && !timeRules && !setup.sweepEvenWhenIdle) {
      sweepsSkipped++;
      return;
    }
    sweepsRun++;
    dirty = false;
    let taken = 0;
    const tried = new Set<string>();
    for (const q of config.queues) {
      if (waiting.count(q.id) === 0) continue;
      for (const id of candidatesOf.get(q.id)!) {
        if (tried.has(id)) continue;
        const a = agentByIdIndex.get(id);
        if (a?.state.presence !== 'online') continue;
        if (!CHANNELS.some((ch) => spareCapacity(a.agent, a.state, ch) > 0)) continue;
        tried.add(id);
        taken += dispatchToAgent(a, now, 'sweep');
      }
    }
    // Whatever it took changed the state the next sweep starts from.
    if (taken > 0) dirty = true;
  };

  const calendarChange = (ci: number, now: number) => {
    const track = calendars[ci]!;
    const open = isOpenAt(track.calendar, new Date(now));
    scheduleCalendar(ci, now);
    if (open === track.open) return;
    track.open = open;
    dirty = true;
    if (!open) {
      track.lastClosedAt = now;
      if (track.endOfShift) endOfShiftDue = true;
    }
    for (const ai of track.agents) {
      const a = agents[ai]!;
      touchAgent(a, now);
      setState(a, { ...a.state, presence: open ? 'online' : 'offline', presenceSince: iso(now), version: a.state.version + 1 });
    }
    // Coming online dispatches, agent by agent (setPresence).
    if (open) for (const ai of track.agents) dispatchToAgent(agents[ai]!, now, 'dispatch:online');
  };
  const scheduleCalendar = (ci: number, now: number) => {
    const calendar = calendars[ci]!.calendar;
    let next: number | undefined;
    try {
      const closes = openUntil(new Date(now), calendar);
      if (closes && closes.getTime() > now) next = closes.getTime();
      else next = nextOpening(new Date(now), calendar).getTime();
    } catch {
      next = undefined; // never opens again
    }
    if (next !== undefined && next > now && next <= stopAt) queue.push(next, CALENDAR, ci);
  };

  // Start: presence as the calendars say, the first arrival, the sweep, the calendars' next changes.
  calendars.forEach((track, ci) => {
    track.open = isOpenAt(track.calendar, new Date(start));
    scheduleCalendar(ci, start);
  });
  for (const a of agents) {
    const online = a.presenceCalendar === undefined || calendars[a.presenceCalendar]!.open;
    setState(a, { ...a.state, presence: online ? 'online' : 'offline' });
  }
  const stream = setup.arrivals.open(seed);
  let arrivalIndex = 0;
  let pending = stream.next();
  if (pending) queue.push(Math.max(start, pending.at), ARRIVAL, 0);
  queue.push(start + sweepEvery, SWEEP);

  const span = Math.max(1, stopAt - start);
  let nextProgress = 0;
  for (let e = queue.pop(); e && e.t <= stopAt; e = queue.pop()) {
    const now = e.t;
    events++;
    if (setup.onProgress && (events & 0x3fff) === 0 && now >= nextProgress) {
      setup.onProgress((now - start) / span);
      nextProgress = now + span / 200;
    }
    switch (e.kind) {
      case ARRIVAL: {
        const arrival = pending!;
        const index = arrivalIndex++;
        pending = stream.next();
        if (pending) queue.push(Math.max(now, pending.at), ARRIVAL, 0);
        arrive(arrival, index, now);
        break;
      }
      case COMPLETE: {
        const sc = cases.get(e.ref);
        if (sc && sc.token === e.token && sc.owner >= 0) complete(sc, now);
        break;
      }
      case SWEEP:
        sweep(now);
        if (now + sweepEvery <= stopAt && (queue.size > 0 || waiting.size > 0)) queue.push(now + sweepEvery, SWEEP);
        break;
      case SLA: {
        const sc = cases.get(e.ref);
        if (sc && sc.slaToken === e.token) slaWake(sc, now);
        break;
      }
      case CALENDAR:
        calendarChange(e.ref, now);
        break;
      case RELAX:
        dirty = true;
        break;
    }
  }
  setup.onProgress?.(1);

  // The end: figures as of stopAt.
  integrateWaiting(stopAt);
  for (const a of agents) touchAgent(a, stopAt);
  const stillByQueue: SimulationResult['stillWaiting']['byQueue'] = {};
  const censored: Record<string, number[]> = {};
  let stillTotal = 0;
  for (const sc of cases.values()) {
    if (!sc.measured) continue;
    if (sc.firstAssignedAt < 0) {
      const age = stopAt - sc.arrivalAt;
      (censored[sc.homeQueue] ??= []).push(age);
      if (sc.queue !== undefined) {
        stillTotal++;
        const q = (stillByQueue[sc.queue] ??= { count: 0, oldestMs: 0, meanAgeMs: 0 });
        q.count++;
        q.oldestMs = Math.max(q.oldestMs, age);
        q.meanAgeMs += age;
      }
    }
    if (hasSla) tallySla(sc.rec, stopAt);
  }
  for (const q of Object.values(stillByQueue)) q.meanAgeMs = q.count ? q.meanAgeMs / q.count : 0;

  const measuredMs = Math.max(1, stopAt - measureFrom);
  const groups = (prefix: string) =>
    [...waitsByGroup.entries()]
      .filter(([k]) => k.startsWith(`${prefix}|`))
      .map(([k, v]) => ({ key: k.slice(prefix.length + 1), wait: summarise(v) }))
      .sort((a, b) => a.key.localeCompare(b.key));
  const allWaits: number[] = [];
  const waitsByQueue: Record<string, number[]> = {};
  for (const [k, v] of waitsByGroup) {
    if (!k.startsWith('q|')) continue;
    waitsByQueue[k.slice(2)] = v;
    for (const w of v) allWaits.push(w);
  }
  const rankOf = (p: string) => priorityRank(config, p);

  return {
    seed,
    window: { start: iso(start), end: iso(end), measuredFrom: iso(measureFrom), stoppedAt: iso(stopAt) },
    arrivals: { total: arrivalsTotal, measured: arrivalsMeasured, needsReview },
    wait: summarise(allWaits),
    byQueue: groups('q').map((g) => ({ queue: g.key, wait: g.wait })),
    byPriority: groups('p')
      .map((g) => ({ queue: '*', priority: g.key, wait: g.wait }))
      .sort((a, b) => rankOf(a.priority) - rankOf(b.priority)),
    byQueueAndPriority: groups('qp')
      .map((g) => {
        const [q, p] = g.key.split('|') as [string, string];
        return { queue: q, priority: p, wait: g.wait };
      })
      .sort((a, b) => a.queue.localeCompare(b.queue) || rankOf(a.priority) - rankOf(b.priority)),
    stillWaiting: { total: stillTotal, byQueue: stillByQueue },
    sla: [...slaTally.values()].map((t) => ({ ...t, attainment: t.met + t.metLate + t.missedOpen > 0 ? t.met / (t.met + t.metLate + t.missedOpen) : 1 })),
    agents: agents
      .filter((a) => CHANNELS.some((ch) => a.agent.capacity[ch] > 0))
      .map((a) => ({ agentId: a.agent.id, utilisation: a.busyArea / measuredMs, online: a.onlineMs / measuredMs, resolved: a.resolved, assigned: a.assigned })),
    reassignments: { total: Object.values(reassignCauses).reduce((s, n) => s + n, 0), byCause: reassignCauses },
    assignments: { total: totalAssignments, byPath, overflow: overflowAssignments, preferred: preferredAssignments, byRelaxationStage: byStage },
    timeline: timelineOf(absWaiting, absArrivals, binMs, timezone, measureFrom, stopAt),
    waitsByQueue,
    censoredByQueue: censored,
    arrivalsByQueue,
    sweeps: { run: sweepsRun, skipped: sweepsSkipped },
    events,
  };
}
