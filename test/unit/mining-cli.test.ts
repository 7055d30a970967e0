import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The mining CLI as a user runs it, on our small help-desk log (figures computed by hand in
 * test/unit/mining-eventlogs.test.ts); test/corpus/mining-cli.test.ts runs it on the real one.
 */
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const HELPDESK = fileURLToPath(new URL('../fixtures/eventlogs/helpdesk-mini.csv', import.meta.url));

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'bin/mine.ts', ...args], { cwd: REPO, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// Concurrent: each spawn spends most of its time starting Node and tsx.
describe.concurrent('npm run mine', () => {
  it('reports the help-desk figures as JSON, filtered to completed tickets, and draws the map', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mine-'));
    try {
      const svg = join(dir, 'map.svg');
      const { code, stdout, stderr } = await run([HELPDESK, '--json', '--filter', 'start=Triage|Register', '--filter', 'end=Close', '--svg', svg]);
      expect(code, stderr).toBe(0);
      const report = JSON.parse(stdout);
      expect(report.mapping).toEqual({ case: 'Case ID', activity: 'Activity', timestamp: 'Complete Timestamp', resource: 'Resource', team: 'workgroup' });
      expect(report.log).toEqual({ cases: 8, events: 35, activities: 6 });
      expect(report.filter).toMatchObject({ startActivities: ['Triage', 'Register'], endActivities: ['Close'] });
      expect(report.analysis.cases).toBe(6);
      expect(report.analysis.variantCount).toBe(4);
      expect(report.analysis.variants.slice(0, 3).map((v: { count: number }) => v.count)).toEqual([3, 1, 1]);
      expect(report.analysis.directlyFollows.edgeCount).toBe(9);
      expect(report.analysis.directlyFollows.edges[0]).toMatchObject({ from: 'Resolve', to: 'Close', count: 6 });
      expect(report.analysis.caseDuration.days.median).toBeCloseTo(51 / 24, 10);
      expect(typeof report.elapsedMs).toBe('number');
      expect(report.elapsedMs).toBeGreaterThan(0);
      const map = await readFile(svg, 'utf8');
      expect(map.startsWith('<svg')).toBe(true);
      expect(map).toContain('Take over');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it('says what it needs when the log file is not there, without a stack trace', async () => {
    const missing = join(tmpdir(), 'caseflow-no-such-dir', 'helpdesk.csv');
    const { code, stderr } = await run([missing]);
    expect(code).toBe(1);
    expect(stderr).toContain(`no such file: ${missing}`);
    expect(stderr).not.toMatch(/^\s+at /m);
  }, 90_000);

  it('exits 2 with a clear message when asked for the local stack and none runs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mine-nostack-'));
    try {
      const { code, stderr } = await run(['--from-stack', '--data-dir', dir]);
      expect(code).toBe(2);
      expect(stderr).toContain(`${join(dir, 'local-stack.json')} does not exist`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it('exits 1 with usage help on a bad filter', async () => {
    const { code, stderr } = await run([HELPDESK, '--filter', 'begins=Closed']);
    expect(code).toBe(1);
    expect(stderr).toContain('cannot read filter "begins=Closed"');
  }, 90_000);
});
