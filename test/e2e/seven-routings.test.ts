/**
 * The acceptance scenario end to end: the seven routings a support manager described, on the local
 * stack, from config/examples/seven-routings.config.json applied with `npm run config`. Cases arrive
 * over HTTP (the web form's JSON API, and the agent API for a phone case with an account), run
 * through the real workflow, and each decision record says why.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../lib/local/stack.js';
import { startLocalStack } from '../../lib/local/stack.js';
import type { LocalClient } from '../support/local-client.js';
import { localClient } from '../support/local-client.js';
import { fixedClock } from '../support/fixtures.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CONFIG = join(ROOT, 'config/examples/seven-routings.config.json');

const NIGHT = '2026-11-23T21:00:00Z'; // Monday 22:00 in Berlin: outside the day shift
const MORNING = '2026-11-23T09:15:00Z'; // Monday 10:15 in Berlin
const INCIDENT_EVENING = '2026-11-20T18:30:00Z'; // the incident date, 19:30 in Berlin

const clock = fixedClock(NIGHT);
let stack: LocalStack;
let api: LocalClient;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'caseflow-seven-'));
  stack = await startLocalStack({ port: 0, memory: true, dataDir, quiet: true, clock, webLimits: { perIp: 1000, perEmail: 1000 } });
  api = await localClient(stack);

  // The configuration goes in exactly as an admin would apply it: through the CLI, over HTTP.
  const applied = await run('npx', ['tsx', 'bin/config.ts', 'apply', CONFIG, '--data-dir', dataDir], { cwd: ROOT });
  expect(applied.stdout).toMatch(/^applied .*seven-routings\.config\.json as configuration version 2 at http:\/\/127\.0\.0\.1:\d+/);

  for (const agent of ['luke', 'leia', 'obiwan', 'yoda', 'anakin', 'padme', 'han', 'chewie']) {
    const res = await api.call('PUT', `/agents/${agent}/presence`, { as: 'admin', json: { status: 'online' } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

let n = 0;
/** A web case, as a customer submits it; returns the case once its workflow has finished. */
async function webCase(fields: Record<string, string>) {
  n++;
  const res = await api.call('POST', '/web-to-case', {
    json: { email: `customer${n}@example.org`, subject: `Request ${n}`, description: 'Please help me with this, thank you.', language: 'en', ...fields },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return settled(res.body.caseId);
}

async function settled(caseId: string) {
  const execution = await stack.workflow.waitFor(caseId);
  expect(execution.states).toContain('Route');
  expect(execution.states).not.toContain('SendToReview');
  const res = await api.call('GET', `/cases/${caseId}`, { as: 'admin' });
  expect(res.status).toBe(200);
  return res.body;
}

/** The assignment decision record of a case: rule, reasons, every candidate. */
function assignment(c: { decisions: { kind: string; details: any }[] }) {
  return c.decisions.filter((d) => d.kind === 'assignment').at(-1)!.details;
}

describe('the seven routings, end to end', () => {
  it('1. workload: billing goes to Luke; when he has no spare capacity, to Leia', async () => {
    clock.set(NIGHT);
    const first = await webCase({ type: 'billing', country: 'DE' });
    const second = await webCase({ type: 'billing', country: 'DE' });
    expect([first.owner, second.owner]).toEqual(['luke', 'luke']);
    const third = await webCase({ type: 'billing', country: 'DE' });
    expect(third).toMatchObject({ status: 'assigned', owner: 'leia' });
    const why = assignment(third);
    expect(why.rule).toEqual({ id: 'billing-luke-then-leia', description: expect.stringContaining('Workload') });
    expect(why.steps[0].candidates).toEqual([
      expect.objectContaining({ agentId: 'luke', removedBy: { filter: 'capacity', reason: 'no spare web capacity (2/2)' } }),
      expect.objectContaining({ agentId: 'leia', rank: 1 }),
    ]);
  });

  it('2. competence: a low or medium fluorescent-lamp fault goes to Obi-Wan', async () => {
    clock.set(NIGHT);
    const c = await webCase({ product: 'fluorescent-lamp', severity: 'low', country: 'FR' });
    expect(c).toMatchObject({ owner: 'obiwan', priority: 'low' });
    expect(assignment(c).rule.id).toBe('lamp-fault-routine');
  });

  it('3. priority: the same fault with high priority goes straight to Yoda', async () => {
    clock.set(NIGHT);
    const c = await webCase({ product: 'fluorescent-lamp', severity: 'high', country: 'FR' });
    expect(c).toMatchObject({ owner: 'yoda', priority: 'high' });
    expect(assignment(c).rule.id).toBe('lamp-fault-urgent');
  });

  it("4. customer history: account group 66 goes to Anakin, who resolved the account's last case", async () => {
    clock.set(NIGHT);
    // Leia frees her capacity, so in key-accounts (anakin, leia, luke) she and Anakin are equally idle.
    const leiaCases = await api.call('GET', '/cases?owner=leia&status=assigned', { as: 'admin' });
    for (const c of leiaCases.body.items) {
      expect((await api.call('POST', `/cases/${c.caseId}/status`, { as: 'leia', json: { status: 'resolved', comment: 'sorted' } })).status).toBe(200);
    }
    // Two different people of the same account: the account's history decides, not the contact's.
    const phoneCase = (subject: string, buyer: string) =>
      api.call('POST', '/cases', {
        as: 'mace',
        json: {
          channel: 'phone',
          subject,
          description: 'Customer called about their key account.',
          contact: { email: `${buyer}@acme.example`, name: `Acme ${buyer}` },
          account: { id: 'acme', name: 'Acme', group: '66' },
          location: { country: 'DE' },
          language: 'en',
        },
      });
    const firstRes = await phoneCase('Invoice question', 'alice');
    expect(firstRes.status, JSON.stringify(firstRes.body)).toBe(201);
    const first = await settled(firstRes.body.caseId);
    expect(first.owner).toBe('anakin');
    expect(assignment(first).rule.id).toBe('account-group-66');
    const resolved = await api.call('POST', `/cases/${first.caseId}/status`, { as: 'anakin', json: { status: 'resolved', comment: 'explained the invoice' } });
    expect(resolved.status).toBe(200);

    // Both idle again; Anakin was assigned more recently, so without history Leia would win the tie.
    const secondRes = await phoneCase('Another invoice question', 'bruno');
    const second = await settled(secondRes.body.caseId);
    expect(second.owner).toBe('anakin');
    expect(assignment(second).reasons).toContain("anakin preferred: resolved this account's last case");
  });

  it('5. working hours: a case created between 08:00 and 16:00 goes to Padmé', async () => {
    clock.set(MORNING);
    const c = await webCase({ country: 'DE' });
    expect(c.owner).toBe('padme');
    expect(assignment(c).rule.id).toBe('day-shift');
  });

  it('6. region: a case from North America goes to Han', async () => {
    clock.set(NIGHT);
    const c = await webCase({ country: 'United States', region: 'California' });
    expect(c).toMatchObject({ owner: 'han', territory: 'north-america', location: { country: 'US', region: 'US-CA' } });
    expect(assignment(c).rule.id).toBe('north-america');
  });

  it('7. topic: a website-outage case reported on the incident date goes to Chewie', async () => {
    clock.set(INCIDENT_EVENING);
    const c = await webCase({ type: 'website_outage', country: 'DE' });
    expect(c).toMatchObject({ owner: 'chewie', priority: 'high' });
    expect(assignment(c).rule.id).toBe('website-outage-incident');
    clock.set('2026-11-21T18:30:00Z');
    const dayAfter = await webCase({ type: 'website_outage', country: 'DE' });
    expect(dayAfter.owner).not.toBe('chewie');
  });
});
