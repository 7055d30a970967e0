import { describe, expect, it } from 'vitest';
import { parseMix, poissonArrivals } from '../../functions/core/simulation/arrivals.js';
import { mmc } from '../../functions/core/simulation/erlang.js';
import { replicationSeed } from '../../functions/core/simulation/random.js';
import { checkQueue, controlled, DEFAULT_SIZE, fastServerMeanWait, HANDLE_MIN, mmcConfig, run } from '../support/queueing-theory.js';

/**
 * The simulator against queueing theory. Identical agents, one channel, Poisson arrivals,
 * exponential handle times, least_busy: the routing engine then runs an M/M/c queue (c agents of
 * capacity k are c·k servers), whose mean wait Erlang C gives. The mean wait is estimated with a
 * control variate (test/support/queueing-theory.ts says why and how); each check prints the plain
 * estimate and the controlled one with their 95 % confidence intervals.
 */

const { replications: REPLICATIONS, cases: CASES, warmup: WARMUP } = DEFAULT_SIZE;

describe('the simulator against Erlang C', () => {
  for (const rho of [0.7, 0.85, 0.95]) {
    it(`M/M/4 at utilisation ${rho}: mean wait within 5 % of Erlang C, the 95 % CI well inside`, () => {
      const { est, theory } = checkQueue(`M/M/4, ρ = ${rho}`, mmcConfig([{ id: 'q', agents: 4 }], 1), 4, rho, 1000 + rho * 100);
      expect(Math.abs(est.controlled.mean / theory - 1)).toBeLessThan(0.05);
      expect(est.controlled.halfWidth / theory).toBeLessThan(0.025);
      // The control tracks the engine's waits closely, as it must for an M/M/c queue.
      expect(est.beta).toBeGreaterThan(0.5);
    }, 120_000);
  }

  it('capacity k per agent is M/M/(c·k): 2 agents holding 3 cases each at utilisation 0.85 wait as 6 servers do', () => {
    const { est, theory } = checkQueue('2 agents × capacity 3 = M/M/6, ρ = 0.85', mmcConfig([{ id: 'q', agents: 2 }], 3), 6, 0.85, 4242, {
      ...DEFAULT_SIZE,
      cases: 12_000,
    });
    expect(Math.abs(est.controlled.mean / theory - 1)).toBeLessThan(0.05);
    expect(est.controlled.halfWidth / theory).toBeLessThan(0.025);
    // And not as 2 servers would: M/M/2 at the same load per server waits several times longer.
    const mm2 = mmc(2, (0.85 * 2) / (HANDLE_MIN / 60), HANDLE_MIN / 60).meanWait * 3_600_000;
    expect(mm2 / theory).toBeGreaterThan(2);
  }, 120_000);

  it('one pooled queue waits less than two half queues, by the amount Erlang C predicts, within 5 %', () => {
    const rho = 0.85;
    const meanH = HANDLE_MIN / 60;
    const rate = (rho * 4) / meanH;
    const split = mmcConfig(
      [
        { id: 'left', agents: 2 },
        { id: 'right', agents: 2 },
      ],
      1,
      [
        { id: 'left', when: { field: 'type', op: 'eq', value: 'left' }, then: { route: { queue: 'left' } } },
        { id: 'right', when: { field: 'type', op: 'eq', value: 'right' }, then: { route: { queue: 'right' } } },
      ],
    );
    const pooled = mmcConfig([{ id: 'all', agents: 4 }], 1);
    const halfTheory = mmc(2, rate / 2, meanH).meanWait * 3_600_000;
    const pooledTheory = mmc(4, rate, meanH).meanWait * 3_600_000;
    const ySplit: number[] = [];
    const xSplit: number[] = [];
    const yPooled: number[] = [];
    const xPooled: number[] = [];
    for (let r = 0; r < REPLICATIONS; r++) {
      // The same arrivals, the same types and the same handle times for both (common random numbers).
      const seed = replicationSeed(77, r);
      const a = run(split, rate, CASES, WARMUP, seed, ['type=left:1,right:1']);
      const b = run(pooled, rate, CASES, WARMUP, seed, ['type=left:1,right:1']);
      expect(b.at).toEqual(a.at);
      expect(b.handle).toEqual(a.handle);
      const idx = a.at.map((_, i) => i);
      // Which half each case went to, from the split run's own figures.
      const sides = new Map<string, number[]>();
      const types = arrivalsTypes(seed, idx.length);
      for (const i of idx) {
        const list = sides.get(types[i]!) ?? [];
        list.push(i);
        sides.set(types[i]!, list);
      }
      const countedA = idx.filter((i) => a.counted[i]);
      ySplit.push(countedA.reduce((s, i) => s + a.wait[i]!, 0) / countedA.length);
      // The split run's control: each half its own fast server (2 agents), pooled over both halves' counted cases.
      let xs = 0;
      let xn = 0;
      for (const list of sides.values()) {
        const n = list.filter((i) => a.counted[i]).length;
        xs += fastServerMeanWait(a, 2, list, (i) => a.counted[i]!) * n;
        xn += n;
      }
      xSplit.push(xs / xn);
      const countedB = idx.filter((i) => b.counted[i]);
      yPooled.push(countedB.reduce((s, i) => s + b.wait[i]!, 0) / countedB.length);
      xPooled.push(fastServerMeanWait(b, 4, idx, (i) => b.counted[i]!));
      // Each case went to its own half in the split run.
      expect(Object.keys(a.result.arrivalsByQueue).sort()).toEqual(['left', 'right']);
    }
    const fastHalf = (rho / (2 / meanH - rate / 2)) * 3_600_000;
    const fastPooled = (rho / (4 / meanH - rate)) * 3_600_000;
    const s = controlled(ySplit, xSplit, fastHalf);
    const p = controlled(yPooled, xPooled, fastPooled);
    const predicted = halfTheory - pooledTheory;
    // The saving itself, paired per replication (the same draws in both), with its own control.
    const d = controlled(
      ySplit.map((y, i) => y - yPooled[i]!),
      xSplit.map((x, i) => x - xPooled[i]!),
      fastHalf - fastPooled,
    );
    const measured = d.controlled.mean;
    console.log(
      `pooling at ρ = ${rho}: two queues of 2 agents ${(s.controlled.mean / 1000).toFixed(2)} s ± ${(s.controlled.halfWidth / 1000).toFixed(2)} s (Erlang C ${(halfTheory / 1000).toFixed(2)} s); ` +
        `one queue of 4 ${(p.controlled.mean / 1000).toFixed(2)} s ± ${(p.controlled.halfWidth / 1000).toFixed(2)} s (Erlang C ${(pooledTheory / 1000).toFixed(2)} s); ` +
        `pooling saves ${(measured / 1000).toFixed(2)} s ± ${(d.controlled.halfWidth / 1000).toFixed(2)} s, Erlang C predicts ${(predicted / 1000).toFixed(2)} s (${((measured / predicted - 1) * 100).toFixed(2)} %)`,
    );
    expect(p.controlled.mean).toBeLessThan(s.controlled.mean);
    expect(Math.abs(s.controlled.mean / halfTheory - 1)).toBeLessThan(0.05);
    expect(Math.abs(p.controlled.mean / pooledTheory - 1)).toBeLessThan(0.05);
    expect(Math.abs(measured / predicted - 1)).toBeLessThan(0.05);
    expect(s.controlled.halfWidth / halfTheory).toBeLessThan(0.025);
    expect(p.controlled.halfWidth / pooledTheory).toBeLessThan(0.025);
    expect(d.controlled.halfWidth / predicted).toBeLessThan(0.025);
  }, 240_000);
});

/** The type each arrival drew (the same draw the simulator made). */
function arrivalsTypes(seed: number, n: number): string[] {
  const source = poissonArrivals({ profile: { perHour: 1, timezone: 'UTC' }, start: 0, end: Number.MAX_SAFE_INTEGER, mix: [parseMix('type=left:1,right:1')] });
  const stream = source.open(seed);
  return Array.from({ length: n }, () => stream.next()!.fields.type!);
}
