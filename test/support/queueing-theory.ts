import { expect } from 'vitest';
import type { RoutingConfig, RoutingConfigInput } from '../../functions/core/config.js';
import { parseRoutingConfig } from '../../functions/core/config.js';
import { parseMix, poissonArrivals } from '../../functions/core/simulation/arrivals.js';
import { parseDistribution } from '../../functions/core/simulation/distributions.js';
import { mmc } from '../../functions/core/simulation/erlang.js';
import { replicationSeed } from '../../functions/core/simulation/random.js';
import { type SimulationResult, simulate } from '../../functions/core/simulation/simulate.js';
import { meanInterval, tQuantile975 } from '../../functions/core/simulation/stats.js';

/**
 * Checking the simulator against queueing theory (test/unit/simulation-theory.test.ts): M/M/c set-ups,
 * runs that record every case's draws and wait, and the control-variate estimate of the mean wait.
 *
 * Near saturation the mean wait of a simulation is a very noisy figure (at a load of 0.95 one needs
 * millions of cases for ±2 %). The standard remedy is a control variate (Law & Kelton, Simulation
 * Modeling and Analysis, "control variates"; Lavenberg and Welch 1981): a quantity computed from the
 * very same random draws whose expectation is known exactly. Here it is the mean wait of an M/M/1
 * queue with one server c·k times as fast, fed the same arrival instants and the same handle times
 * (divided by c·k), computed by Lindley's recursion: it swings with the draws almost exactly as the
 * simulated M/M/c does, and its expectation is ρ / (c·k·μ − λ). The controlled estimate is the
 * simulator's mean wait minus β times the control's error, β fitted over the replications; its
 * confidence interval comes from the residuals. Nothing in it comes from the simulator except the
 * waits it produced; if the engine assigned cases in any other way (not work-conserving, not first
 * come first served, capacity miscounted) its waits, and so the estimate, would move away from
 * Erlang C while the control stays put.
 */

export const HANDLE_MIN = 2; // short handle times: fewer sweeps per case, the queue does not care about the time unit
export const START = Date.parse('2026-01-05T00:00:00Z');

export function mmcConfig(queues: { id: string; agents: number }[], capacity: number, rules: RoutingConfigInput['rules'] = []): RoutingConfig {
  const agents: NonNullable<RoutingConfigInput['agents']> = [];
  const qs = queues.map((q) => {
    const members = Array.from({ length: q.agents }, (_, i) => `${q.id}-agent-${i}`);
    for (const id of members) agents.push({ id, name: id, email: `${id}@sim.example.com`, capacity: { email: capacity } });
    return { id: q.id, name: q.id, routing: 'least_busy' as const, members };
  });
  return parseRoutingConfig({ queues: qs, agents, rules, territories: [{ id: 'all', name: 'All', match: {}, queue: queues[0]!.id }] });
}

export interface Observed {
  result: SimulationResult;
  /** Arrival instants and handle times of every case, in arrival order. */
  at: number[];
  handle: number[];
  /** Whether each case counts (measured and assigned), and its wait. */
  counted: boolean[];
  wait: number[];
  queueOf?: string[];
}

export function run(config: RoutingConfig, ratePerHour: number, cases: number, warmupCases: number, seed: number, mix: string[] = []): Observed {
  const hours = cases / ratePerHour;
  const at: number[] = [];
  const handle: number[] = [];
  const counted: boolean[] = [];
  const wait: number[] = [];
  const result = simulate({
    config,
    seed,
    arrivals: poissonArrivals({
      profile: { perHour: ratePerHour, timezone: 'UTC' },
      start: START,
      end: START + hours * 3_600_000,
      mix: mix.map((m) => parseMix(m)),
    }),
    handle: { distribution: parseDistribution(`exponential:mean=PT${HANDLE_MIN}M`) },
    warmupMs: (warmupCases / ratePerHour) * 3_600_000,
    observer: {
      arrived(i, t, h) {
        at[i] = t;
        handle[i] = h;
        counted[i] = false;
      },
      firstAssigned(i, w, measured) {
        counted[i] = measured;
        wait[i] = w;
      },
    },
  });
  return { result, at, handle, counted, wait };
}

/** Lindley's recursion for one server `speed` times as fast, over the cases whose indexes are given (in arrival order). */
export function fastServerMeanWait(o: Observed, speed: number, indexes: number[], countedOnly: (i: number) => boolean): number {
  let w = 0;
  let sum = 0;
  let n = 0;
  let prev = -1;
  for (const i of indexes) {
    if (prev >= 0) w = Math.max(0, w + o.handle[prev]! / speed - (o.at[i]! - o.at[prev]!));
    if (countedOnly(i)) {
      sum += w;
      n++;
    }
    prev = i;
  }
  return sum / n;
}

export interface Estimate {
  plain: { mean: number; halfWidth: number };
  controlled: { mean: number; halfWidth: number };
  beta: number;
}

/** The regression-adjusted control-variate estimator over replications (Law & Kelton), with its 95 % interval. */
export function controlled(ys: number[], xs: number[], expectedX: number): Estimate {
  const r = ys.length;
  const my = ys.reduce((s, v) => s + v, 0) / r;
  const mx = xs.reduce((s, v) => s + v, 0) / r;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < r; i++) {
    sxx += (xs[i]! - mx) ** 2;
    sxy += (xs[i]! - mx) * (ys[i]! - my);
  }
  const beta = sxy / sxx;
  const mean = my - beta * (mx - expectedX);
  let sse = 0;
  for (let i = 0; i < r; i++) sse += (ys[i]! - my - beta * (xs[i]! - mx)) ** 2;
  const s2 = sse / (r - 2);
  const halfWidth = tQuantile975(r - 2) * Math.sqrt(s2 * (1 / r + (mx - expectedX) ** 2 / sxx));
  const plain = meanInterval(ys);
  return { plain: { mean: plain.mean, halfWidth: plain.halfWidth }, controlled: { mean, halfWidth }, beta };
}

export interface RunSize {
  replications: number;
  cases: number;
  warmup: number;
}

export const DEFAULT_SIZE: RunSize = { replications: 16, cases: 8_000, warmup: 1_000 };

/** Mean wait (ms) of an M/M/c-like run in one queue, over replications, against theory. */
export function checkQueue(
  label: string,
  config: RoutingConfig,
  servers: number,
  rho: number,
  seed: number,
  size: RunSize = DEFAULT_SIZE,
  log: (line: string) => void = console.log,
) {
  const meanH = HANDLE_MIN / 60;
  const rate = (rho * servers) / meanH;
  const theory = mmc(servers, rate, meanH).meanWait * 3_600_000;
  const fast = (rho / (servers / meanH - rate)) * 3_600_000; // M/M/1 at c·k times the speed
  const ys: number[] = [];
  const xs: number[] = [];
  for (let r = 0; r < size.replications; r++) {
    const o = run(config, rate, size.cases, size.warmup, replicationSeed(seed, r));
    const idx = o.at.map((_, i) => i);
    const y = idx.filter((i) => o.counted[i]).reduce((s, i) => s + o.wait[i]!, 0) / idx.filter((i) => o.counted[i]).length;
    // The observer saw exactly the cases the figures count.
    expect(o.result.wait.mean).toBeCloseTo(y, 6);
    expect(o.result.wait.count).toBe(idx.filter((i) => o.counted[i]).length);
    ys.push(y);
    xs.push(fastServerMeanWait(o, servers, idx, (i) => o.counted[i]!));
  }
  const est = controlled(ys, xs, fast);
  const rel = (x: number) => `${((x / theory - 1) * 100).toFixed(2)} %`;
  log(
    `${label}: Erlang C mean wait ${(theory / 1000).toFixed(2)} s; simulated ${(est.plain.mean / 1000).toFixed(2)} s ± ${(est.plain.halfWidth / 1000).toFixed(2)} s (${rel(est.plain.mean)}), ` +
      `with the control variate ${(est.controlled.mean / 1000).toFixed(3)} s ± ${(est.controlled.halfWidth / 1000).toFixed(3)} s (${rel(est.controlled.mean)}, 95 % CI ±${((est.controlled.halfWidth / theory) * 100).toFixed(2)} %; β ${est.beta.toFixed(3)}); ${size.replications} × ${size.cases} cases`,
  );
  return { est, theory };
}
