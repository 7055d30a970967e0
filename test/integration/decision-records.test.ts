/**
 * Decision records through the real repository on DynamoDB Local. A round-robin queue with an agent
 * who was never assigned used to score that agent -Infinity; the marshaller refused the decision
 * ("Special numeric value -Infinity is not allowed"), routing failed, and on the demo stack every
 * North American case went to manual review. Then the class: generated configurations, agent
 * states and cases, every decision the core makes stored and read back unchanged.
 */
import { readFile } from 'node:fs/promises';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCaseRepository } from '../../functions/adapters/case-repository.js';
import type { CaseRecord } from '../../functions/core/case.js';
import { parseRoutingConfig } from '../../functions/core/config.js';
import type { AdminAlert } from '../../functions/core/ports/notifications.js';
import type { StoredDecision } from '../../functions/core/ports/repositories.js';
import type { EngineDecision } from '../../functions/core/routing/engine.js';
import { NEVER_ASSIGNED_MS } from '../../functions/core/routing/scoring.js';
import type { AppDeps } from '../../functions/composition/deps.js';
import { makeAppDeps } from '../../functions/composition/deps.js';
import { makeUseCases } from '../../functions/composition/use-cases.js';
import type { LocalWorkflow } from '../../lib/local/stepfunctions/workflow.js';
import { makeLocalWorkflow } from '../../lib/local/stepfunctions/workflow.js';
import { freshTable } from '../support/dynamo.js';
import { makeCreateCommand, ulidIds } from '../support/fixtures.js';
import { acceptedConfig, decideScenario, routingScenario, unstorableParts } from '../support/routing-arbitraries.js';

describe('a round-robin queue whose agents were never assigned (the demo stack)', () => {
  let deps: AppDeps;
  let workflow: LocalWorkflow;
  const alerts: AdminAlert[] = [];

  beforeAll(async () => {
    const db = await freshTable('round-robin');
    let started: LocalWorkflow | undefined;
    deps = makeAppDeps({
      table: db.table,
      alerts: { publish: async (a) => void alerts.push(a) },
      workflow: { startCase: (caseId) => started!.starter.startCase(caseId) },
    });
    workflow = started = makeLocalWorkflow({ deps });
    const demo = JSON.parse(await readFile(new URL('../../config/demo.config.json', import.meta.url), 'utf8')) as unknown;
    const config = parseRoutingConfig(demo);
    expect(config.queues.find((q) => q.id === 'americas')?.routing).toBe('round_robin');
    await deps.configs.put(config, 0, 'test', new Date().toISOString());
    for (const id of ['han', 'chewie', 'padme']) await deps.agentStates.setPresence(id, 'online', new Date().toISOString());
  });

  afterAll(async () => {
    await workflow?.stop();
  });

  it('routes a North American web case to an agent, not to manual review, and stores the decision', async () => {
    const { submitWebCase } = makeUseCases(deps);
    const { caseId } = await submitWebCase(
      {
        email: 'customer@example.org',
        subject: 'My order has not arrived',
        description: 'I ordered a lamp two weeks ago and it has still not arrived. Could you check where it is?',
        country: 'US',
      },
      { clientIp: '198.51.100.7' },
    );
    const execution = await workflow.waitFor(caseId, { until: 'WaitForSlaDeadline' });
    expect(execution.states).toContain('Route');
    expect(execution.states).not.toContain('SendToReview');

    const stored = await deps.cases.getWithHistory(caseId);
    expect(stored?.case).toMatchObject({ status: 'assigned', queue: 'americas', territory: 'north-america' });
    // All three were never assigned: equal scores, so the tie-break by id picks chewie.
    expect(stored?.case.owner).toBe('chewie');
    const assignment = stored?.decisions.find((d) => d.kind === 'assignment');
    const details = assignment?.details as EngineDecision;
    expect(details.steps[0]?.method).toBe('round_robin');
    expect(details.steps[0]?.candidates.filter((c) => c.score !== undefined).map((c) => c.score)).toEqual([
      NEVER_ASSIGNED_MS,
      NEVER_ASSIGNED_MS,
      NEVER_ASSIGNED_MS,
    ]);
    expect(alerts).toEqual([]);

    // The next case goes to someone else: chewie is now the most recently assigned.
    const second = await submitWebCase(
      { email: 'other@example.org', subject: 'Billing address change', description: 'Please change the billing address on my account.', country: 'CA' },
      { clientIp: '198.51.100.8' },
    );
    await workflow.waitFor(second.caseId, { until: 'WaitForSlaDeadline' });
    expect((await deps.cases.get(second.caseId))?.owner).toBe('han');
  });
});

describe('property: every decision record round-trips through the repository unchanged', () => {
  it('routing, priority and territory decisions and the stamped case read back as they were written', async () => {
    const db = await freshTable('decision-roundtrip');
    const cases = makeCaseRepository(db.table);
    const ids = ulidIds();
    let accepted = 0;
    const runs = 60;
    await fc.assert(
      fc.asyncProperty(routingScenario, async (s) => {
        const config = acceptedConfig(s.document);
        if (!config) return;
        accepted++;
        const outcome = decideScenario(config, s, ids);
        // Written as the stamp and route steps write them: the case, then an update with the decisions.
        // A fresh id and number each time: shrinking runs the same case again.
        const created = await cases.create(makeCreateCommand({ ...s.case, caseId: ids.next(), caseNumber: await cases.allocateCaseNumber() }));
        if (!created.created) throw new Error('the case was not created');
        const caseId = created.case.caseId;
        const decisions: StoredDecision[] = outcome.decisions.map((d) => ({ ...d, caseId }));
        const next: CaseRecord = { ...outcome.stamped, caseId, caseNumber: created.case.caseNumber, version: created.case.version };
        const written = await cases.update(next, created.case.version, [], decisions);

        const stored = await cases.getWithHistory(caseId);
        expect(stored?.case).toEqual(written);
        const byId = (a: StoredDecision, b: StoredDecision) => a.decisionId.localeCompare(b.decisionId);
        expect([...(stored?.decisions ?? [])].sort(byId)).toEqual([...decisions].sort(byId));
        // toEqual treats an undefined property as absent; the store must also not have dropped list items.
        expect(unstorableParts(decisions)).toEqual([]);
      }),
      { numRuns: runs },
    );
    expect(accepted).toBeGreaterThan(runs / 3);
  }, 300_000);
});
