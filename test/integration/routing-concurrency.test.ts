import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseRecord } from '../../functions/core/case.js';
import { parseRoutingConfig } from '../../functions/core/config.js';
import type { AdminAlert } from '../../functions/core/ports/notifications.js';
import type { AppDeps } from '../../functions/composition/deps.js';
import { makeAppDeps } from '../../functions/composition/deps.js';
import { makeUseCases } from '../../functions/composition/use-cases.js';
import type { LocalWorkflow } from '../../lib/local/stepfunctions/workflow.js';
import { makeLocalWorkflow } from '../../lib/local/stepfunctions/workflow.js';
import type { FreshTable } from '../support/dynamo.js';
import { freshTable } from '../support/dynamo.js';

const HEAVY_TIMEOUT_MS = 240_000;

/**
 * 200 web cases submitted at once to 10 agents of web capacity 5, through intake and the real
 * workflow (ASL run by aws-local-stepfunctions) against DynamoDB Local: exactly 50 are assigned,
 * 150 wait, nobody goes over capacity, no case is assigned twice. Then the agents resolve their
 * cases one at a time and the queue drains in priority order, then age.
 */
const AGENTS = Array.from({ length: 10 }, (_, i) => `agent-${i}`);
const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
const RANK: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3 };

let db: FreshTable;
let deps: AppDeps;
let workflow: LocalWorkflow;
const alerts: AdminAlert[] = [];

beforeAll(async () => {
  db = await freshTable('concurrency');
  let started: LocalWorkflow | undefined;
  deps = makeAppDeps({
    table: db.table,
    alerts: { publish: async (a) => void alerts.push(a) },
    workflow: { startCase: (caseId) => started!.starter.startCase(caseId) },
    webLimits: { perIp: 10_000, perEmail: 10_000 },
  });
  workflow = started = makeLocalWorkflow({ deps });
  const config = parseRoutingConfig({
    territories: [{ id: 'everywhere', name: 'Everywhere', match: {}, queue: 'support' }],
    queues: [{ id: 'support', name: 'Support', routing: 'least_busy', members: AGENTS }],
    agents: AGENTS.map((id) => ({ id, name: id, email: `${id}@support.example.com`, capacity: { web: 5 }, languages: ['en'] })),
  });
  await deps.configs.put(config, 0, 'test', new Date().toISOString());
  for (const id of AGENTS) await deps.agentStates.setPresence(id, 'online', new Date().toISOString());
});

afterAll(async () => {
  await workflow?.stop();
});

async function allCases(): Promise<CaseRecord[]> {
  const out: CaseRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.cases.list({ statuses: ['new', 'queued', 'assigned', 'resolved', 'needs_review'], limit: 100, cursor });
    out.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return out;
}

async function loads(): Promise<Record<string, number>> {
  const states = await deps.agentStates.getMany(AGENTS);
  return Object.fromEntries(AGENTS.map((id) => [id, states.get(id)?.load.web ?? -1]));
}

describe('routing under concurrency', () => {
  // 200 whole workflows at once on DynamoDB Local: about a minute on a 2-core machine that runs other
  // work too; the limit only stops a hang, the assertions are on what happened, never how fast.
  it(
    '200 cases at once to 10 agents of capacity 5: 50 assigned, 150 queued, nobody over capacity',
    async () => {
      const { submitWebCase } = makeUseCases(deps);
      const submitted = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          submitWebCase(
            {
              email: `customer-${i}@example.org`,
              subject: `Order ${i} did not arrive`,
              description: 'My parcel has not arrived yet, could you please check where it is?',
              severity: SEVERITIES[i % 4],
              idempotencyKey: `k-${i}`,
            },
            { clientIp: `198.51.100.${i % 250}` },
          ),
        ),
      );
      expect(new Set(submitted.map((s) => s.caseId)).size).toBe(200);
      await workflow.idle();

      const executions = workflow.executions();
      expect(executions).toHaveLength(200);
      expect(executions.filter((e) => e.status !== 'SUCCEEDED')).toEqual([]);
      // Every execution took the happy path: nothing was caught into review.
      expect(executions.every((e) => e.states.includes('Route') && !e.states.includes('SendToReview'))).toBe(true);

      const cases = await allCases();
      expect(cases).toHaveLength(200);
      const assigned = cases.filter((c) => c.status === 'assigned');
      const queued = cases.filter((c) => c.status === 'queued');
      expect(assigned).toHaveLength(50);
      expect(queued).toHaveLength(150);
      expect(alerts).toEqual([]);

      const perAgent = Object.fromEntries(AGENTS.map((id) => [id, assigned.filter((c) => c.owner === id).length]));
      expect(perAgent).toEqual(Object.fromEntries(AGENTS.map((id) => [id, 5])));
      expect(await loads()).toEqual(Object.fromEntries(AGENTS.map((id) => [id, 5])));

      // No case was assigned twice: exactly one `assigned` event on each assigned case, none on queued ones.
      const histories = await Promise.all(cases.map((c) => deps.cases.getWithHistory(c.caseId)));
      for (const h of histories) {
        const assignedEvents = h!.events.filter((e) => e.activity === 'assigned').length;
        expect(assignedEvents).toBe(h!.case.status === 'assigned' ? 1 : 0);
      }
    },
    HEAVY_TIMEOUT_MS,
  );

  it(
    'as agents resolve cases, the queue drains in priority order, then age',
    async () => {
      const { workCase } = makeUseCases(deps);
      const dispatchedOrder: CaseRecord[] = [];
      const all = await allCases();
      let waiting = all.filter((c) => c.status === 'queued');
      expect(waiting).toHaveLength(150);
      // Open work in the order it was assigned: the agent with the oldest assignment resolves it next,
      // as a person working a queue would.
      const open = all.filter((c) => c.status === 'assigned').sort((a, b) => a.updatedAt.localeCompare(b.updatedAt));

      while (waiting.length > 0) {
        const next = open.shift()!;
        await workCase.changeStatus({ agentId: next.owner!, roles: ['agent'] }, next.caseId, { status: 'resolved', comment: 'done' });

        const after = await deps.cases.listQueued('support', 200);
        const taken = waiting.filter((c) => !after.some((a) => a.caseId === c.caseId));
        // Each resolve frees one unit of capacity, and exactly one waiting case takes it at once.
        expect(taken).toHaveLength(1);
        const expected = [...waiting].sort(
          (a, b) => a.priorityRank - b.priorityRank || a.createdAt.localeCompare(b.createdAt) || a.caseId.localeCompare(b.caseId),
        )[0]!;
        expect(taken[0]!.caseId).toBe(expected.caseId);
        const now = await deps.cases.get(expected.caseId);
        expect(now).toMatchObject({ status: 'assigned', owner: next.owner });
        dispatchedOrder.push(taken[0]!);
        open.push(now!);
        waiting = after;
      }

      const ranks = dispatchedOrder.map((c) => c.priorityRank);
      expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
      expect(new Set(ranks)).toEqual(new Set([0, 1, 2, 3]));
      // Priority came from the severity the customer gave.
      expect(dispatchedOrder.every((c) => RANK[c.priority] === c.priorityRank)).toBe(true);
      const load = await loads();
      expect(Object.values(load).every((n) => n <= 5)).toBe(true);
    },
    HEAVY_TIMEOUT_MS,
  );
});
