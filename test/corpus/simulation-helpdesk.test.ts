import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../bin/simulate.js';
import { corpusPath } from '../support/corpus.js';

/**
 * The routing simulator on the help-desk log (docs/simulation.md#worked-example-the-help-desk): the
 * log replays as it is, with the column detection of npm run mine, against the help-desk example
 * configuration; one agent fewer in product 1 makes product 1 wait longer and nothing else.
 */
const CONFIG = fileURLToPath(new URL('../../config/examples/helpdesk.config.json', import.meta.url));

async function simulate(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(
    [
      corpusPath('eventlogs', 'helpdesk', 'helpdesk_finale.csv'),
      '--config',
      CONFIG,
      '--timezone',
      'Europe/Rome',
      '--map',
      'severity=seriousness_2',
      '--json',
      ...args,
    ],
    {
      out: (t) => (stdout += t),
      err: (t) => (stderr += t),
      tty: false,
    },
  );
  expect(code, stderr).toBe(0);
  return JSON.parse(stdout);
}

describe('the simulator on the help-desk log', () => {
  it('replays every ticket at its first event, with handle times from taking it in charge to resolving it', async () => {
    const report = await simulate([]);
    expect(report.setup.arrivals).toBe('helpdesk_finale.csv: 4580 cases');
    expect(report.setup.handle).toMatch(/^empirical from helpdesk_finale\.csv \(4277 observed, mean 7\.4 d, median 46\.3 h\)$/);
    expect(report.observedInLog.count).toBe(4285);
    const run = report.replications[0];
    expect(run.arrivals).toEqual({ total: 4580, measured: 4580, needsReview: 0 });
    // Every ticket is taken in the end; product 3, with two agents, is where they wait.
    expect(run.wait.count).toBe(4580);
    expect(run.stillWaiting.total).toBe(0);
    const byQueue = Object.fromEntries(run.byQueue.map((q: { queue: string; wait: { mean: number; count: number } }) => [q.queue, q.wait]));
    expect(Object.keys(byQueue).sort()).toEqual(['general', 'product-1', 'product-3']);
    expect(byQueue['product-1'].count).toBe(1694);
    expect(byQueue['product-3'].count).toBe(1649);
    expect(byQueue['product-3'].mean).toBeGreaterThan(byQueue['product-1'].mean);
    expect(byQueue['product-3'].mean).toBeGreaterThan(byQueue.general.mean);
    // Agents work Rome office hours: about a quarter of the week.
    for (const a of run.agents) expect(a.online).toBeCloseTo(0.247, 2);
    const sla = Object.fromEntries(run.sla.map((s: { milestone: string; attainment: number }) => [s.milestone, s.attainment]));
    expect(sla.first_response).toBeGreaterThan(0.6);
    expect(sla.first_response).toBeLessThan(0.95);
    expect(run.assignments.preferred).toBeGreaterThan(0);
  }, 300_000);

  it('one agent fewer in product 1: product 1 waits longer, the other queues exactly as long', async () => {
    const report = await simulate(['--compare-agents', 'product-1=-1', '--replications', '3']);
    const d = report.differences;
    expect(d['queue.product-1.wait.mean'].mean).toBeGreaterThan(d['queue.product-1.wait.mean'].halfWidth);
    expect(d['queue.product-3.wait.mean']).toEqual({ mean: 0, halfWidth: 0, n: 3 });
    expect(d['queue.general.wait.mean']).toEqual({ mean: 0, halfWidth: 0, n: 3 });
    expect(d['sla.standard.first_response.attainment'].mean).toBeLessThan(0);
  }, 600_000);
});
