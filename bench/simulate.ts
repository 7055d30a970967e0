/**
 * Simulator benchmark: how fast the routing simulator runs the seven-routings configuration with its
 * support queue scaled to 200 agents, on Poisson arrivals with a mix of attributes that exercises
 * every rule (billing to named agents, lamp faults by priority, account group 66 to key accounts,
 * North America to Han, the Berlin day shift to Padmé and her copies), over three channels.
 * Target: at least 100,000 simulated cases in 30 s.
 *
 * What is timed: `simulate` end to end (arrivals, stamping, every routing decision by the engine,
 * dispatch on each resolution, the sweep every simulated minute, the figures), not the setup.
 *
 * Two runs on the same arrivals: handle times of 30 minutes on average, where almost every case is
 * taken as it arrives; and of 60 minutes, where the team cannot keep up, thousands of cases wait,
 * and most assignments come from dispatch on a resolution and the sweeps over long queues (the
 * simulator's harder case).
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseRoutingConfig } from '../functions/core/config.js';
import { applyAgentChanges } from '../functions/core/simulation/agents.js';
import { parseMix, poissonArrivals } from '../functions/core/simulation/arrivals.js';
import { parseDistribution } from '../functions/core/simulation/distributions.js';
import { simulate } from '../functions/core/simulation/simulate.js';
import type { BenchOptions } from '../bin/bench.js';

const CONFIG = fileURLToPath(new URL('../config/examples/seven-routings.config.json', import.meta.url));
const TARGET_CASES = 100_000;
const TARGET_SECONDS = 30;

export async function runSimulateBench(log: (line: string) => void, _options: BenchOptions): Promise<Record<string, number>> {
  const base = parseRoutingConfig(JSON.parse(readFileSync(CONFIG, 'utf8')));
  // 200 agents in support: the 8 configured members and 192 copies of them.
  const { config } = applyAgentChanges(base, [{ queue: 'support', count: 200 }]);
  const start = Date.parse('2026-11-16T00:00:00Z'); // a Monday, the week of the website-outage incident date
  const perHour = 2400;
  const hours = 44;
  const arrivals = poissonArrivals({
    profile: { perHour, timezone: 'Europe/Berlin' },
    start,
    end: start + hours * 3_600_000,
    mix: [
      'channel=email:6,web:3,phone:1',
      'type=billing:1,question:6,incident:2,website_outage:1',
      'product=fluorescent-lamp:1,router:9',
      'severity=critical:1,high:2,medium:5,low:2',
      'location.country=DE:4,FR:2,GB:2,US:1,CA:1',
      'account.group=66:1,1:199',
      'account.id=acme:1,globex:1,initech:1,umbrella:1,hooli:1,stark:1,wayne:1,wonka:1',
    ].map((m) => parseMix(m)),
  });
  // A short warm-up run so the timing measures the simulator, not the JIT's first pass.
  simulate({
    config,
    seed: 7,
    arrivals: poissonArrivals({ profile: { perHour, timezone: 'UTC' }, start, end: start + 3_600_000 }),
    handle: { distribution: parseDistribution('lognormal:mean=PT30M,sd=PT20M') },
  });

  const figures: Record<string, number> = { 'simulate.agents': config.agents.length };
  for (const [name, spec] of [
    ['', 'lognormal:mean=PT30M,sd=PT20M'],
    ['loaded.', 'lognormal:mean=PT60M,sd=PT20M'],
  ] as const) {
    const handle = parseDistribution(spec);
    log(`seven-routings with ${config.agents.length} agents (support: 200), ${perHour} cases/h for ${hours} h, handle ${handle.description}`);
    Object.assign(
      figures,
      timed(log, `simulate.${name}`, () => simulate({ config, seed: 1, arrivals, handle: { distribution: handle }, onProgress: progress(log) })),
    );
  }
  return figures;
}

function progress(log: (line: string) => void): (done: number) => void {
  const started = performance.now();
  let lastTold = started;
  return (done) => {
    const now = performance.now();
    if (now - lastTold > 5000) {
      lastTold = now;
      log(`  ${(done * 100).toFixed(0)} % of simulated time after ${((now - started) / 1000).toFixed(1)} s`);
    }
  };
}

function timed(log: (line: string) => void, prefix: string, run: () => ReturnType<typeof simulate>): Record<string, number> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const result = run();
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const cases = result.arrivals.total;
  const perSecond = cases / seconds;
  const casesIn30s = Math.round(perSecond * TARGET_SECONDS);
  const casesIn30sCpu = Math.round((cases / cpuSeconds) * TARGET_SECONDS);
  log(
    `${cases.toLocaleString('en')} cases (${result.events.toLocaleString('en')} events) in ${seconds.toFixed(1)} s: ${Math.round(perSecond).toLocaleString('en')} cases/s, ` +
      `${casesIn30s.toLocaleString('en')} in ${TARGET_SECONDS} s (target ≥ ${TARGET_CASES.toLocaleString('en')}: ${casesIn30s >= TARGET_CASES ? 'met' : 'NOT met'})`,
  );
  // On a shared machine the wall clock also counts other processes' turns; the CPU time is this run's own.
  log(
    `CPU time ${cpuSeconds.toFixed(1)} s: ${casesIn30sCpu.toLocaleString('en')} cases per 30 s of CPU (load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores)`,
  );
  log(
    `mean wait ${(result.wait.mean / 60_000).toFixed(2)} min, p90 ${(result.wait.p90 / 60_000).toFixed(2)} min; mean utilisation ${(
      (100 * result.agents.reduce((s, a) => s + a.utilisation, 0)) / result.agents.length
    ).toFixed(1)} %; still waiting at the end ${result.stillWaiting.total}; assignments ${JSON.stringify(result.assignments.byPath)}`,
  );
  return {
    [`${prefix}cases`]: cases,
    [`${prefix}seconds`]: Number(seconds.toFixed(2)),
    [`${prefix}casesPerSecond`]: Math.round(perSecond),
    [`${prefix}casesIn30s`]: casesIn30s,
    [`${prefix}cpuSeconds`]: Number(cpuSeconds.toFixed(2)),
    [`${prefix}casesIn30sCpu`]: casesIn30sCpu,
    [`${prefix}meanWaitMin`]: Number((result.wait.mean / 60_000).toFixed(2)),
  };
}
