import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../bin/simulate.js';

/**
 * `npm run simulate` as a user runs it: reports, JSON, the chart, comparisons, staffing, and clear
 * errors (exit 2) naming the option. The CLI's `main` runs in the test's process with captured
 * output; two runs go through `npx tsx` as a user's would, for the exit code and the streams.
 */
const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** The CLI in this process. */
async function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { out: (t) => (stdout += t), err: (t) => (stderr += t), tty: false });
  return { code, stdout, stderr };
}

/** The CLI as its own process, started as npm run simulate starts it. */
function spawned(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'bin/simulate.ts', ...args], { cwd: REPO, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let dir: string;
let configPath: string;
let logPath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'simulate-cli-'));
  configPath = join(dir, 'team.json');
  await writeFile(
    configPath,
    JSON.stringify({
      businessHours: [
        {
          id: 'office',
          timezone: 'Europe/Rome',
          weekly: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [{ start: '08:00', end: '18:00' }]])),
        },
      ],
      territories: [{ id: 'all', name: 'All', match: {}, queue: 'support' }],
      queues: [{ id: 'support', name: 'Support', members: ['ada', 'bo'], businessHours: 'office' }],
      agents: ['ada', 'bo'].map((id) => ({ id, name: id, email: `${id}@team.example.com`, capacity: { email: 2 } })),
    }),
  );
  // A small log in the help-desk shape: each ticket is opened, taken in charge and resolved.
  const rows = ['Case ID,Activity,Resource,Complete Timestamp,product'];
  for (let i = 0; i < 60; i++) {
    const day = 5 + Math.floor(i / 12);
    const hour = 8 + (i % 12) * 0.75;
    const t = (h: number) => {
      const hh = Math.floor(h);
      const mm = Math.round((h - hh) * 60);
      return `2026/01/${String(day).padStart(2, '0')} ${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}:00.000`;
    };
    rows.push(`Case ${i},Open ticket,Value 1,${t(hour)},Value ${1 + (i % 3)}`);
    rows.push(`Case ${i},Take in charge ticket,Value 2,${t(hour + 0.25)},Value ${1 + (i % 3)}`);
    rows.push(`Case ${i},Resolve ticket,Value 2,${t(hour + 0.25 + 0.5 + (i % 5) * 0.2)},Value ${1 + (i % 3)}`);
  }
  logPath = join(dir, 'tickets.csv');
  await writeFile(logPath, `${rows.join('\n')}\n`);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.concurrent('npm run simulate, as its own process', () => {
  it('prints its usage with --help', async () => {
    const { code, stdout } = await spawned(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: npm run simulate -- [EVENTLOG] [options]');
    expect(stdout).toContain('--compare FILE');
    expect(stdout).toContain('staff --target');
  }, 90_000);

  it('exits 2 with the message on stderr when an option is wrong', async () => {
    const { code, stdout, stderr } = await spawned(['--config', configPath, '--poisson', '3', '--handle', 'normal:mean=PT1H']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('simulate: --handle: unknown distribution "normal"');
    expect(stderr).toContain('Run with --help for usage.');
  }, 90_000);
});

describe('npm run simulate', () => {
  it('simulates generated arrivals: the report as JSON, and the chart', async () => {
    const svg = join(dir, 'day.svg');
    const { code, stdout, stderr } = await run([
      '--config',
      configPath,
      '--poisson',
      '3',
      '--duration',
      'P3D',
      '--handle',
      'exponential:mean=PT40M',
      '--replications',
      '2',
      '--json',
      '--svg',
      svg,
    ]);
    expect(code, stderr).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.mode).toBe('run');
    expect(report.setup).toMatchObject({ arrivals: 'Poisson arrivals, 3 per hour', handle: 'exponential(mean 40.0 min)', seed: 1, timezone: 'Europe/Rome' });
    expect(report.replications).toHaveLength(2);
    const first = report.replications[0];
    expect(first.arrivals.total).toBeGreaterThan(150);
    // Arrivals come round the clock, agents work 08:00–18:00 in Rome: most cases are taken when they come on shift.
    expect(first.assignments.byPath['dispatch:online']).toBeGreaterThan(0);
    expect(report.metrics['wait.mean'].n).toBe(2);
    expect(first.waitsByQueue).toBeUndefined();
    const chart = await readFile(svg, 'utf8');
    expect(chart.startsWith('<svg')).toBe(true);
    expect(chart).toContain('time of day (Europe/Rome)');
  }, 90_000);

  it('replays an event log with its own column detection, and shows the waits the log itself had', async () => {
    const { code, stdout, stderr } = await run([logPath, '--config', configPath, '--timezone', 'Europe/Rome']);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('tickets.csv: 60 cases');
    expect(stdout).toContain('60 have a handle time (Take in charge ticket ▶ Resolve ticket)');
    expect(stdout).toContain('Case fields from the log: product = "product"');
    expect(stdout).toMatch(/In the log itself: wait until first assignment mean 15\.0 min/);
    expect(stdout).toMatch(/Cases: 60 arrived/);
  }, 90_000);

  it("generates arrivals at the log's hour-of-week rates, each with the attributes of a logged case; --from/--to choose the part of the log", async () => {
    const { code, stdout, stderr } = await run([
      logPath,
      '--poisson',
      'log',
      '--from',
      '2026-01-06',
      '--to',
      '2026-01-07',
      '--config',
      configPath,
      '--timezone',
      'Europe/Rome',
      '--json',
    ]);
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout);
    // 12 tickets a day in the log: the profile and the attributes come from Tuesday's 12.
    expect(result.setup.arrivals).toBe(
      'Poisson arrivals by hour of week (Europe/Rome), 12 per week, each with the attributes of one of 12 logged cases drawn at random',
    );
  }, 90_000);

  it('compares one agent fewer, with paired confidence intervals', async () => {
    const { code, stdout, stderr } = await run([
      '--config',
      configPath,
      '--poisson',
      '4',
      '--duration',
      'P2D',
      '--presence',
      'always',
      '--compare-agents',
      'support=-1',
      '--replications',
      '4',
    ]);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('B = with support=-1 (queue support: 2 ▶ 1 members (without bo))');
    expect(stdout).toContain('B − A (95 % CI)');
    expect(stdout).toMatch(/wait\.mean\s+\S+ \S+ ± /);
    expect(stdout).toContain('4 paired replications, common random numbers');
  }, 90_000);

  it('staffs a queue to a target', async () => {
    const { code, stdout, stderr } = await run([
      'staff',
      '--target',
      '80% within PT15M',
      '--config',
      configPath,
      '--poisson',
      '6',
      '--duration',
      'P2D',
      '--presence',
      'always',
      '--replications',
      '2',
      '--json',
    ]);
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout);
    const q = result.queues[0];
    expect(q.queue).toBe('support');
    expect(q.agents).toBeGreaterThanOrEqual(1);
    expect(q.tried.find((t: { agents: number }) => t.agents === q.agents).attainment).toBeGreaterThanOrEqual(0.8);
    expect(result.finalAttainment.support).toBeGreaterThanOrEqual(0.8);
  }, 90_000);

  for (const [args, message] of [
    [['--poisson', '3', '--handle', 'normal:mean=PT1H'], '--handle: unknown distribution "normal"'],
    [['--poisson', '3', '--agents', 'sales=3'], '--agents: no queue "sales" in the configuration'],
    [['--poisson', '3', '--replications', '0'], '--replications: 0 must be between 1 and 10000'],
    [['--poisson', 'lots'], '--poisson: "lots" is neither a rate per hour nor a readable JSON profile'],
    [['--poisson', '0'], '--poisson: the rate must be more than zero cases per hour, not 0'],
    [['--poisson', '3', '--from', '2026-01-01'], '--from: only for replayed arrivals (an EVENTLOG or --from-stack)'],
    [['--poisson', '3', '--warmup', 'a while'], '--warmup: "a while" is not a duration'],
    [['--poisson', '3', '--mix', 'colour=red'], '--mix: "colour" is not a case field'],
    [['--poisson', '3', '--timezone', 'Mars/Olympus'], '--timezone: "Mars/Olympus" is not an IANA time zone'],
    [['--poisson', '3', '--compare-agents', 'support=-1', '--replications', '1'], '--replications: a comparison needs at least 2 replications'],
    [['staff', '--poisson', '3'], '--target: staff needs a target'],
    [['staff', '--poisson', '3', '--target', 'plenty'], '--target: "plenty" is not a target'],
    [['--frobnicate'], "Unknown option '--frobnicate'"],
    [[], 'give arrivals: an EVENTLOG, --from-stack or --poisson RATE'],
    [['missing.csv'], 'EVENTLOG: no such file: missing.csv'],
    [['--from-stack', '--data-dir', '/nonexistent-caseflow-dir'], '--from-stack: no local stack found'],
  ] as [string[], string][]) {
    it(`exits 2 naming what is wrong: ${message}`, async () => {
      const { code, stderr } = await run([
        ...(args.includes('--from-stack') || args[0] === 'missing.csv' || args.length === 0 ? [] : ['--config', configPath]),
        ...args,
      ]);
      expect(code).toBe(2);
      expect(stderr).toContain(message);
    }, 90_000);
  }

  it('exits 2 naming the configuration file and the field when the configuration is not valid', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ queues: [{ id: 'q', name: 'Q', members: ['ghost'] }] }));
    const { code, stderr } = await run(['--config', bad, '--poisson', '3']);
    expect(code).toBe(2);
    expect(stderr).toContain(`--config: ${bad} is not a valid configuration: queues.0.members.0: unknown agent ghost`);
  }, 90_000);
});
