/**
 * `npm run simulate -- --from-stack` against DynamoDB Local: the local stack's own cases (written as
 * production writes them, with their assignment and resolution events) replayed against a
 * configuration, found through the stack's local-stack.json as npm run mine finds it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../bin/simulate.js';
import { makeCaseRepository } from '../../functions/adapters/case-repository.js';
import { dynamoEndpoint, freshTable } from '../support/dynamo.js';
import { makeCreateCommand, makeEvent, minutesAfter } from '../support/fixtures.js';

const db = await freshTable('simulate');
const cases = makeCaseRepository(db.table);
const dir = await mkdtemp(join(tmpdir(), 'simulate-stack-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

// Six cases on Monday 2025-03-03: created every 20 minutes from 09:00, each assigned 10 minutes
// later and resolved 30 (case i: 30 + 10·i) minutes after that; products alternate.
for (let i = 0; i < 6; i++) {
  const createdAt = minutesAfter(20 * i);
  const command = makeCreateCommand({ createdAt, product: i % 2 ? 'lamps' : 'printers', channel: 'email' });
  const { case: created } = (await cases.create(command)) as { created: true; case: (typeof command)['case'] };
  await cases.update({ ...created, status: 'resolved', owner: 'ada' }, created.version, [
    makeEvent(created.caseId, { activity: 'assigned', at: minutesAfter(20 * i + 10), actor: { kind: 'system', id: 'caseflow' }, details: { owner: 'ada' } }),
    makeEvent(created.caseId, { activity: 'resolved', at: minutesAfter(20 * i + 40 + 10 * i), actor: { kind: 'agent', id: 'ada' }, details: {} }),
  ]);
}
const configPath = join(dir, 'config.json');
await writeFile(
  configPath,
  JSON.stringify({
    territories: [{ id: 'all', name: 'All', match: {}, queue: 'q' }],
    queues: [
      { id: 'q', name: 'Q', members: ['ada'] },
      { id: 'lamps', name: 'Lamps', members: ['bo'] },
    ],
    agents: [
      { id: 'ada', name: 'Ada', email: 'ada@x.example.com', capacity: { email: 1 } },
      { id: 'bo', name: 'Bo', email: 'bo@x.example.com', capacity: { email: 1 } },
    ],
    rules: [{ id: 'lamps', when: { field: 'product', op: 'eq', value: 'lamps' }, then: { route: { queue: 'lamps' } } }],
  }),
);
await writeFile(
  join(dir, 'local-stack.json'),
  JSON.stringify({
    url: 'http://127.0.0.1:1',
    port: 1,
    dynamoEndpoint: dynamoEndpoint(),
    tableName: db.tableName,
    pid: process.pid,
    dataDir: dir,
    memory: true,
    startedAt: minutesAfter(0),
    services: {},
  }),
);

describe('npm run simulate -- --from-stack', () => {
  it("replays the stack's cases at their creation, with their own attributes and their assignment-to-resolution times", async () => {
    let stdout = '';
    let stderr = '';
    const code = await main(
      ['--from-stack', '--data-dir', dir, '--from', '2025-03-03', '--to', '2025-03-04', '--config', configPath, '--handle', 'log', '--json'],
      {
        out: (t) => (stdout += t),
        err: (t) => (stderr += t),
        tty: false,
      },
    );
    expect(code, stderr).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.setup.arrivals).toBe('local stack: 6 cases');
    expect(report.setup.handle).toMatch(/^empirical from the local stack \(6 observed, mean 55\.0 min/);
    expect(report.observedInLog).toMatchObject({ count: 6, mean: 10 * 60_000 });
    const run = report.replications[0];
    expect(run.arrivals.total).toBe(6);
    expect(run.window.start).toBe('2025-03-03T00:00:00.000Z');
    // The rule reads each case's own product: lamps to bo, printers to ada.
    expect(run.byQueue.map((q: { queue: string; wait: { count: number } }) => [q.queue, q.wait.count])).toEqual([
      ['lamps', 3],
      ['q', 3],
    ]);
    // Each case keeps its own handle time (--handle log): ada's printers take 30, 50, 70 minutes, arriving 40 minutes apart.
    const q = run.byQueue.find((x: { queue: string }) => x.queue === 'q').wait;
    expect(q.max).toBe(10 * 60_000);
  }, 120_000);
});
