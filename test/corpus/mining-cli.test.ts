import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { corpusPath } from '../support/corpus.js';

/**
 * The mining CLI as a user runs it, on the real help-desk log of the corpus folder (CASEFLOW_DATA_DIR):
 * the JSON report carries the published figures. test/unit/mining-cli.test.ts runs it on our own fixtures.
 */
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const HELPDESK = corpusPath('eventlogs', 'helpdesk', 'helpdesk_finale.csv');

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

describe('npm run mine on the help-desk log', () => {
  it('reports the helpdesk figures as JSON, filtered to completed tickets, and draws the map', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mine-'));
    try {
      const svg = join(dir, 'map.svg');
      const { code, stdout, stderr } = await run([
        HELPDESK,
        '--json',
        '--filter',
        'start=Assign seriousness|Insert ticket',
        '--filter',
        'end=Closed',
        '--svg',
        svg,
      ]);
      expect(code, stderr).toBe(0);
      const report = JSON.parse(stdout);
      expect(report.mapping).toEqual({ case: 'Case ID', activity: 'Activity', timestamp: 'Complete Timestamp', resource: 'Resource', team: 'workgroup' });
      expect(report.log).toEqual({ cases: 4580, events: 21348, activities: 14 });
      expect(report.filter).toMatchObject({ startActivities: ['Assign seriousness', 'Insert ticket'], endActivities: ['Closed'] });
      expect(report.analysis.cases).toBe(4479);
      expect(report.analysis.variantCount).toBe(193);
      expect(report.analysis.variants.slice(0, 3).map((v: { count: number }) => v.count)).toEqual([2366, 552, 228]);
      expect(report.analysis.directlyFollows.edgeCount).toBe(52);
      expect(report.analysis.directlyFollows.edges[0]).toMatchObject({ from: 'Resolve ticket', to: 'Closed', count: 4479 });
      expect(report.analysis.caseDuration.days.median).toBeCloseTo(39.827, 3);
      expect(typeof report.elapsedMs).toBe('number');
      expect(report.elapsedMs).toBeGreaterThan(0);
      const map = await readFile(svg, 'utf8');
      expect(map.startsWith('<svg')).toBe(true);
      expect(map).toContain('Take in charge ticket');
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
