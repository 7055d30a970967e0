import { businessTimeBetween } from '../business-time.js';
import type { Channel, RoutingConfig } from '../config.js';
import { CHANNELS } from '../config.js';
import { type AgentsChange, applyAgentChanges } from './agents.js';
import { agentsFor } from './erlang.js';
import type { ServiceTarget } from './options.js';
import { replicationSeed } from './random.js';
import type { SimulationResult, SimulationSetup } from './simulate.js';
import { simulate } from './simulate.js';
import { type Interval, meanInterval } from './stats.js';

/**
 * Experiments over the simulation: independent replications with confidence intervals, two
 * configurations compared under common random numbers, and the fewest agents per queue that meet
 * a service-level target.
 */

/** The figures compared across replications, flat: `wait.mean`, `queue.support.wait.p90`, `sla.standard.first_response.attainment`, ... */
export function metricsOf(r: SimulationResult): Record<string, number> {
  const m: Record<string, number> = {
    'wait.mean': r.wait.mean,
    'wait.p50': r.wait.p50,
    'wait.p90': r.wait.p90,
    'wait.p99': r.wait.p99,
    assigned: r.wait.count,
    stillWaiting: r.stillWaiting.total,
    reassignments: r.reassignments.total,
    'utilisation.mean': r.agents.length ? r.agents.reduce((s, a) => s + a.utilisation, 0) / r.agents.length : 0,
  };
  for (const q of r.byQueue) {
    m[`queue.${q.queue}.wait.mean`] = q.wait.mean;
    m[`queue.${q.queue}.wait.p90`] = q.wait.p90;
  }
  for (const p of r.byPriority) m[`priority.${p.priority}.wait.mean`] = p.wait.mean;
  for (const s of r.sla) m[`sla.${s.policy}.${s.milestone}.attainment`] = s.attainment;
  return m;
}

export interface ReplicatedRun {
  results: SimulationResult[];
  /** Each metric's mean over the replications and its 95 % confidence interval. */
  metrics: Record<string, Interval>;
}

function intervals(results: readonly SimulationResult[]): Record<string, Interval> {
  const all = results.map(metricsOf);
  const names = [...new Set(all.flatMap((m) => Object.keys(m)))];
  // A figure missing from a replication (a queue with no case assigned in it) is left out there.
  return Object.fromEntries(names.map((n) => [n, meanInterval(all.flatMap((m) => (m[n] === undefined ? [] : [m[n]!])))]));
}

export type Progress = (done: number, label: string) => void;

/** Runs `replications` independent replications (seeds derived from the setup's). */
export function replicate(setup: SimulationSetup, replications: number, progress?: Progress, label = 'simulating'): ReplicatedRun {
  const results: SimulationResult[] = [];
  for (let r = 0; r < replications; r++) {
    const tell = progress
      ? (d: number) => progress((r + d) / replications, replications > 1 ? `${label} (replication ${r + 1} of ${replications})` : label)
      : undefined;
    results.push(simulate({ ...setup, seed: replicationSeed(setup.seed, r), ...(tell ? { onProgress: tell } : {}) }));
  }
  return { results, metrics: intervals(results) };
}

export interface Comparison {
  a: ReplicatedRun;
  b: ReplicatedRun;
  /** b − a per metric, paired by replication (common random numbers), with 95 % confidence intervals. */
  differences: Record<string, Interval>;
}

/**
 * The same arrivals and the same random draws (each replication's seed, used by both) against two
 * configurations; the differences are paired per replication, so their intervals carry only the
 * variation the configurations cause.
 */
export function compare(a: SimulationSetup, b: SimulationSetup, replications: number, progress?: Progress): Comparison {
  const ra: SimulationResult[] = [];
  const rb: SimulationResult[] = [];
  for (let r = 0; r < replications; r++) {
    const seed = replicationSeed(a.seed, r);
    const tell = (which: number) =>
      progress ? (d: number) => progress((2 * r + which + d) / (2 * replications), `comparing (replication ${r + 1} of ${replications})`) : undefined;
    const ta = tell(0);
    const tb = tell(1);
    ra.push(simulate({ ...a, seed, ...(ta ? { onProgress: ta } : {}) }));
    rb.push(simulate({ ...b, seed, ...(tb ? { onProgress: tb } : {}) }));
  }
  const ma = ra.map(metricsOf);
  const mb = rb.map(metricsOf);
  const names = [...new Set([...ma, ...mb].flatMap((m) => Object.keys(m)))];
  const differences: Record<string, Interval> = {};
  for (const n of names) {
    // Only where both runs have the figure: a queue one configuration does not have has no difference.
    const diffs: number[] = [];
    for (let r = 0; r < replications; r++) {
      const x = ma[r]![n];
      const y = mb[r]![n];
      if (x !== undefined && y !== undefined) diffs.push(y - x);
    }
    differences[n] = meanInterval(diffs);
  }
  return { a: { results: ra, metrics: intervals(ra) }, b: { results: rb, metrics: intervals(rb) }, differences };
}

/** Share of a queue's measured cases assigned within the target, over several runs; still-waiting cases older than the target count as misses. */
export function attainmentOf(results: readonly SimulationResult[], queue: string, withinMs: number): { share: number; cases: number } {
  let met = 0;
  let missed = 0;
  for (const r of results) {
    for (const w of r.waitsByQueue[queue] ?? []) {
      if (w <= withinMs) met++;
      else missed++;
    }
    for (const age of r.censoredByQueue[queue] ?? []) if (age > withinMs) missed++;
  }
  const cases = met + missed;
  return { share: cases > 0 ? met / cases : 1, cases };
}

export interface QueueStaffing {
  queue: string;
  members: number;
  /** Measured arrivals per hour of the time the load is spread over (the queue's open hours with business work time, else the whole window). */
  arrivalsPerOpenHour: number;
  meanHandleMs: number;
  channel: Channel;
  /** Cases each member holds at once on that channel (the M/M/(c·k) servers per agent). */
  perAgent: number;
  erlangAgents: number;
  /** The fewest agents the simulation confirmed; undefined when none up to the limit did. */
  agents?: number;
  attainment?: number;
  /** Every staffing tried, in order, with the share it reached. */
  tried: { agents: number; attainment: number; cases: number }[];
  note?: string;
}

export interface StaffingResult {
  target: ServiceTarget;
  queues: QueueStaffing[];
  changes: AgentsChange[];
  /** The configuration with every queue at its confirmed staffing, replicated. */
  final?: ReplicatedRun;
  finalAttainment: Record<string, number>;
}

/**
 * The fewest agents per queue for which the share of cases assigned within the target's time
 * reaches its share: starting from the Erlang C estimate (M/M/(c·k) with the queue's arrival rate
 * over its open hours and the mean handle time), then confirmed by simulation: down while one fewer
 * still meets it, up until it does. Queues are staffed in configuration order, each with those
 * before it at their confirmed numbers.
 */
export function staff(
  setup: SimulationSetup,
  options: { target: ServiceTarget; replications: number; queues?: string[]; maxAgents?: number },
  progress?: Progress,
): StaffingResult {
  const { target } = options;
  const base = replicate(setup, options.replications, progress ? (d) => progress(d * 0.1, 'measuring arrivals') : undefined);
  const config = setup.config;
  const wanted = options.queues ?? config.queues.map((q) => q.id);
  const changes: AgentsChange[] = [];
  const queues: QueueStaffing[] = [];
  const todo = config.queues.filter(
    (q) => wanted.includes(q.id) && base.results.some((r) => (r.arrivalsByQueue[q.id] ? sum(r.arrivalsByQueue[q.id]!) : 0) > 0),
  );
  todo.forEach((q, qi) => {
    const byChannel: Partial<Record<Channel, number>> = {};
    for (const r of base.results)
      for (const [ch, n] of Object.entries(r.arrivalsByQueue[q.id] ?? {})) byChannel[ch as Channel] = (byChannel[ch as Channel] ?? 0) + n;
    const channel = CHANNELS.reduce((best, ch) => ((byChannel[ch] ?? 0) > (byChannel[best] ?? 0) ? ch : best), CHANNELS[0]);
    const members = q.members.map((id) => config.agents.find((a) => a.id === id)!).filter(Boolean);
    const perAgent = Math.max(1, Math.round(members.length ? members.reduce((s, a) => s + a.capacity[channel], 0) / members.length : 1));
    const calendarId = q.businessHours ?? members.find((m) => m.businessHours)?.businessHours;
    const calendar = calendarId ? config.businessHours.find((b) => b.id === calendarId) : undefined;
    const first = base.results[0]!;
    const from = new Date(first.window.measuredFrom);
    const to = new Date(first.window.end);
    // Cases held on the wall clock keep capacity busy round the clock: the load is the rate over the
    // whole window times the handle time. Held only in working hours, it is the rate over those hours.
    const openMs = Math.max(1, setup.workTime === 'business' ? businessTimeBetween(from, to, calendar) : to.getTime() - from.getTime());
    const arrivals = sum(byChannel) / base.results.length;
    const perOpenHour = (arrivals / openMs) * 3_600_000;
    const meanHandleMs = setup.handle.distribution.mean;
    const erlang = agentsFor(perOpenHour, meanHandleMs / 3_600_000, perAgent, target.share, target.withinMs / 3_600_000);
    const entry: QueueStaffing = {
      queue: q.id,
      members: q.members.length,
      arrivalsPerOpenHour: perOpenHour,
      meanHandleMs,
      channel,
      perAgent,
      erlangAgents: erlang,
      tried: [],
    };
    queues.push(entry);
    if (q.members.length === 0) {
      entry.note = 'the queue has no members to copy';
      return;
    }
    const limit = options.maxAgents ?? Math.max(4 * erlang, erlang + 50, q.members.length + 50);
    const results = new Map<number, { attainment: number; cases: number }>();
    const tryAgents = (n: number) => {
      const known = results.get(n);
      if (known) return known;
      const share = (qi + 0.1 + 0.9 * Math.min(1, entry.tried.length / 8)) / todo.length;
      const run = replicate(
        { ...setup, config: applyAgentChanges(config, [...changes, { queue: q.id, count: n }]).config },
        options.replications,
        progress
          ? (d) => progress(0.1 + 0.8 * Math.min(0.999, share + d / (8 * todo.length)), `staffing ${q.id}: trying ${n} agent${n === 1 ? '' : 's'}`)
          : undefined,
      );
      const a = attainmentOf(run.results, q.id, target.withinMs);
      const outcome = { attainment: a.share, cases: a.cases };
      results.set(n, outcome);
      entry.tried.push({ agents: n, ...outcome });
      return outcome;
    };
    let n = Math.max(1, erlang);
    if (tryAgents(n).attainment >= target.share) {
      while (n > 1 && tryAgents(n - 1).attainment >= target.share) n--;
    } else {
      while (n < limit && tryAgents(n + 1).attainment < target.share) n++;
      n++;
      if (n > limit || tryAgents(n).attainment < target.share) {
        entry.note = `no staffing up to ${limit} agents met the target`;
        return;
      }
    }
    entry.agents = n;
    entry.attainment = results.get(n)!.attainment;
    changes.push({ queue: q.id, count: n });
  });
  const finalConfig: RoutingConfig = applyAgentChanges(config, changes).config;
  const final = replicate({ ...setup, config: finalConfig }, options.replications, progress ? (d) => progress(0.9 + 0.1 * d, 'confirming') : undefined);
  const finalAttainment = Object.fromEntries(queues.map((q) => [q.queue, attainmentOf(final.results, q.queue, target.withinMs).share]));
  return { target, queues, changes, final, finalAttainment };
}

function sum(counts: Partial<Record<string, number>>): number {
  return Object.values(counts).reduce((s: number, n) => s + (n ?? 0), 0);
}
