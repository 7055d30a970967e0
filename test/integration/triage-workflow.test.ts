/**
 * Automatic triage as it runs for real: a model trained from the resolved cases in DynamoDB Local
 * (the way `npm run triage -- train` does), stored in a model directory, named by the routing
 * configuration, and applied by the Stamp task of the real ASL file run by the local Step Functions.
 * Then an agent corrects a prediction through the API handler, and the next training counts it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeFileModelStore } from '../../functions/adapters/triage-model-store.js';
import type { CaseRecord } from '../../functions/core/case.js';
import type { RoutingConfigInput } from '../../functions/core/config.js';
import { parseRoutingConfig } from '../../functions/core/config.js';
import type { EngineDecision } from '../../functions/core/routing/engine.js';
import type { TriageRecord } from '../../functions/core/triage/apply.js';
import { makeTrainTriage } from '../../functions/core/use-cases/train-triage.js';
import { createHandler as createApi } from '../../functions/handlers/api.js';
import type { AppDeps } from '../../functions/composition/deps.js';
import { makeAppDeps } from '../../functions/composition/deps.js';
import type { HttpResult } from '../../functions/http/api-gateway.js';
import { makeLocalWorkflow } from '../../lib/local/stepfunctions/workflow.js';
import type { LocalWorkflow } from '../../lib/local/stepfunctions/workflow.js';
import { freshTable } from '../support/dynamo.js';
import { fixedClock, makeCreateCommand, makeRoutingConfigInput } from '../support/fixtures.js';
import { TRIAGE_FIXTURE } from '../support/triage-fixture.js';
import { apiEvent, cognitoClaims, lambdaContext } from '../support/api-events.js';

const db = await freshTable('triage');
const clock = fixedClock();
const modelDir = mkdtempSync(join(tmpdir(), 'caseflow-triage-'));
const models = makeFileModelStore(modelDir);
const running: LocalWorkflow[] = [];
afterAll(async () => {
  await Promise.all(running.map((w) => w.stop()));
  rmSync(modelDir, { recursive: true, force: true });
});

function harness(): { deps: AppDeps; workflow: LocalWorkflow } {
  let workflow: LocalWorkflow | undefined;
  const deps = makeAppDeps({
    table: db.table,
    clock,
    alerts: { publish: async () => undefined },
    workflow: { startCase: (caseId) => workflow!.starter.startCase(caseId) },
    triageModels: models,
  });
  workflow = makeLocalWorkflow({ deps, retryIntervalOverrides: 5 });
  running.push(workflow);
  return { deps, workflow };
}

const { deps } = harness();

/** The configuration: billing cases go to the finance queue by a rule on `type`; everything from GB to support. */
function config(triage: RoutingConfigInput['triage']): RoutingConfigInput {
  const base = makeRoutingConfigInput();
  return {
    ...base,
    queues: [...(base.queues ?? []), { id: 'finance', name: 'Finance', members: [] }],
    rules: [{ id: 'billing-to-finance', when: { field: 'type', op: 'eq', value: 'billing' }, then: { route: { queue: 'finance' } } }],
    ...(triage ? { triage } : {}),
  };
}

async function applyConfig(input: RoutingConfigInput): Promise<void> {
  const current = await deps.configs.getCurrent();
  await deps.configs.put(parseRoutingConfig(input), current?.version ?? 0, 'triage-test', clock.iso());
}

/** A web case from GB with no type and no product, as a customer who chose neither leaves it. */
async function newCase(subject: string): Promise<CaseRecord> {
  const command = makeCreateCommand({ channel: 'web', subject, description: '', location: { country: 'GB' } });
  delete command.case.type;
  delete command.case.product;
  const result = await deps.cases.create(command);
  if (!result.created) throw new Error('fixture case was not created');
  return result.case;
}

async function runWorkflow(caseId: string) {
  const h = harness();
  await h.workflow.starter.startCase(caseId);
  const execution = await h.workflow.waitFor(caseId);
  expect(execution.caught).toEqual([]);
  expect(execution.retries).toEqual([]);
  return { execution, stored: (await deps.cases.getWithHistory(caseId))! };
}

const context = lambdaContext();
const api = createApi(deps);
async function patchCase(
  caseId: string,
  as: string,
  roles: string[],
  json: unknown,
  ifMatch?: number,
): Promise<{ status: number; body: Record<string, unknown> }> {
  return request('PATCH', `/cases/${caseId}`, as, roles, json, ifMatch);
}

async function request(
  method: string,
  path: string,
  as: string,
  roles: string[],
  json: unknown,
  ifMatch?: number,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const event = apiEvent({
    method,
    path,
    headers: { 'content-type': 'application/json', ...(ifMatch !== undefined ? { 'if-match': `"${ifMatch}"` } : {}) },
    claims: cognitoClaims(as, roles),
    body: JSON.stringify(json),
  });
  const result = (await api(event, context)) as HttpResult;
  return { status: result.statusCode ?? 200, body: JSON.parse(result.body ?? '{}') as Record<string, unknown> };
}

// The team's history: every fixture message as a resolved case with its type, product and final queue.
for (const row of TRIAGE_FIXTURE) {
  const command = makeCreateCommand({
    status: 'resolved',
    subject: row.text,
    description: '',
    type: row.type,
    product: row.product,
    queue: row.type === 'billing' ? 'finance' : 'support',
  });
  await deps.cases.create(command);
}

const train = makeTrainTriage({ cases: deps.cases, models, clock });
const first = await train.fromCases({ heldBack: 0.2 });

describe('training from the store', () => {
  it('learns type, product and the final queue from the resolved cases, and stores the version with its evaluation', async () => {
    expect(Object.keys(first.bundle.fields).sort()).toEqual(['product', 'queue', 'type']);
    expect(first.bundle.fields.type!.labels).toEqual(['billing', 'delivery', 'login']);
    expect(first.bundle.fields.queue!.labels).toEqual(['finance', 'support']);
    expect(first.bundle.evaluation.type).toMatchObject({
      counts: { examples: TRIAGE_FIXTURE.length, labels: 3 },
      corrections: { applied: 0, corrected: 0, rate: 0 },
    });
    expect(first.bundle.source).toEqual({ kind: 'cases', description: `${TRIAGE_FIXTURE.length} closed cases of the case table` });
    expect(await models.list()).toEqual([expect.objectContaining({ version: first.bundle.version, fields: ['type', 'product', 'queue'] })]);
    // A version is never overwritten.
    await expect(train.fromCases({ heldBack: 0.2 })).rejects.toMatchObject({ name: 'ConflictError' });
  });
});

describe('triage in the case workflow', () => {
  let billingCase: CaseRecord;

  it('fills an empty type before the rules run, so a rule on the predicted type routes the case', async () => {
    await applyConfig(config({ modelVersion: first.bundle.version, type: { minConfidence: 0.5 }, product: { minConfidence: 0.5 } }));
    const c = await newCase('You charged my card twice, I want a refund');
    const { execution, stored } = await runWorkflow(c.caseId);
    billingCase = stored.case;

    expect(execution.states.slice(0, 4)).toEqual(['Begin', 'Stamp', 'StampOutcome', 'Route']);
    expect(stored.case).toMatchObject({ type: 'billing', product: 'subscription', queue: 'finance', status: 'queued' });
    expect(stored.case.triage).toEqual({
      modelVersion: first.bundle.version,
      fields: { type: { value: 'billing', confidence: expect.any(Number) }, product: { value: 'subscription', confidence: expect.any(Number) } },
    });
    // Triage is recorded before the priority is set (prioritisation saw the type too).
    const activities = stored.events.map((e) => e.activity);
    expect(activities.indexOf('triaged')).toBeGreaterThan(activities.indexOf('case_created'));
    expect(activities.indexOf('triaged')).toBeLessThan(activities.indexOf('priority_set'));
    const triaged = stored.events.find((e) => e.activity === 'triaged')!.details as unknown as TriageRecord;
    expect(triaged.modelVersion).toBe(first.bundle.version);
    expect(triaged.fields.type).toMatchObject({ prediction: 'billing', applied: true, threshold: 0.5 });
    expect(triaged.fields.type!.confidence).toBeGreaterThanOrEqual(0.5);
    expect(triaged.fields.type!.runnersUp.map((r) => r.label).sort()).toEqual(['delivery', 'login']);
    expect(triaged.fields.type!.words.length).toBeGreaterThan(0);
    expect(triaged.fields.queue).toMatchObject({ prediction: 'finance', applied: false });
    // The rule on the predicted type chose the queue.
    const assignment = stored.decisions.find((d) => d.kind === 'assignment')!.details as EngineDecision;
    expect(assignment.rule).toEqual({ id: 'billing-to-finance' });
    expect(assignment.queue).toBe('finance');
  });

  it('leaves a case below the threshold alone: nothing filled, routed by territory as before', async () => {
    const c = await newCase('Hello');
    const { stored } = await runWorkflow(c.caseId);
    expect(stored.case.type).toBeUndefined();
    expect(stored.case.triage).toBeUndefined();
    expect(stored.case).toMatchObject({ queue: 'support', status: 'queued', territory: 'uk' });
    const triaged = stored.events.find((e) => e.activity === 'triaged')!.details as unknown as TriageRecord;
    expect(triaged.fields.type).toMatchObject({ applied: false, threshold: 0.5 });
    expect(triaged.fields.type!.confidence).toBeLessThan(0.5);
    expect((stored.decisions.find((d) => d.kind === 'assignment')!.details as EngineDecision).rule).toBeUndefined();
  });

  it('sends an unsure case to review when the configuration says so', async () => {
    await applyConfig(config({ modelVersion: first.bundle.version, type: { minConfidence: 0.5 }, product: { enabled: false }, belowThreshold: 'review' }));
    const c = await newCase('Hello');
    const { execution, stored } = await runWorkflow(c.caseId);
    expect(execution.states).toContain('StampOutcome');
    expect(execution.states).not.toContain('Route');
    expect(stored.case).toMatchObject({
      status: 'needs_review',
      queue: 'review',
      reviewReason: 'triage is not sure enough about type: a person should classify the case',
    });
  });

  it('refuses a configuration naming a model version that is not stored, naming the field; a stored one is applied', async () => {
    const before = (await deps.configs.getCurrent())!;
    const refused = await request('PUT', '/admin/config', 'ada', ['admin'], config({ modelVersion: 'no-such-version' }), before.version);
    expect(refused).toMatchObject({
      status: 400,
      body: { fields: [{ field: 'triage.modelVersion', message: expect.stringContaining('no-such-version is not stored') }] },
    });
    expect((await deps.configs.getCurrent())!.version).toBe(before.version);

    const applied = await request('PUT', '/admin/config', 'ada', ['admin'], config({ modelVersion: first.bundle.version }), before.version);
    expect(applied).toMatchObject({ status: 200, body: { version: before.version + 1 } });
    expect((await deps.configs.getCurrent())!.config.triage.modelVersion).toBe(first.bundle.version);
  });

  it('records a model version that is no longer stored and routes the case as if there were no triage', async () => {
    // Written past the API's check, as when a stored version is deleted after the configuration named it.
    await applyConfig(config({ modelVersion: 'no-such-version' }));
    const c = await newCase('You charged my card twice');
    const { stored } = await runWorkflow(c.caseId);
    expect(stored.case.type).toBeUndefined();
    expect(stored.case.queue).toBe('support');
    expect(stored.events.find((e) => e.activity === 'triaged')!.details).toEqual({
      modelVersion: 'no-such-version',
      fields: {},
      skipped: 'model version no-such-version is not stored',
    });
  });

  it("records an agent's correction of a predicted field, and the next training learns it and counts it", async () => {
    // alice is no owner of the case: only its owner, managers and admins may change it.
    const refused = await patchCase(billingCase.caseId, 'alice', ['agent'], { type: 'login' });
    expect(refused.status).toBe(403);
    const bad = await patchCase(billingCase.caseId, 'mia', ['manager'], { reason: 'no field' });
    expect(bad).toMatchObject({ status: 400, body: { fields: [{ field: 'type', message: 'give a type, a product or both' }] } });

    const res = await patchCase(
      billingCase.caseId,
      'mia',
      ['manager'],
      { type: 'delivery', reason: 'the customer asks where the parcel is' },
      billingCase.version,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ type: 'delivery', triage: { fields: { type: { value: 'billing', correctedTo: 'delivery', correctedBy: 'mia' } } } });

    const stored = (await deps.cases.getWithHistory(billingCase.caseId))!;
    expect(stored.events.find((e) => e.activity === 'classification_changed')!.details).toEqual({
      changes: [{ field: 'type', from: 'billing', to: 'delivery' }],
      reason: 'the customer asks where the parcel is',
    });
    expect(stored.events.find((e) => e.activity === 'triage_corrected')!.details).toEqual({
      field: 'type',
      predicted: 'billing',
      confidence: billingCase.triage!.fields.type!.confidence,
      to: 'delivery',
      modelVersion: first.bundle.version,
    });
    // A second change is the agent's own, not a correction of the model.
    await patchCase(billingCase.caseId, 'mia', ['manager'], { type: 'billing' });
    await patchCase(billingCase.caseId, 'mia', ['manager'], { type: 'delivery' });
    const again = (await deps.cases.getWithHistory(billingCase.caseId))!;
    expect(again.events.filter((e) => e.activity === 'triage_corrected')).toHaveLength(1);

    // Resolved, the case is history: the next training counts the correction and learns the agent's label.
    await deps.cases.update({ ...again.case, status: 'resolved' }, again.case.version, []);
    clock.advance(60_000);
    const next = await train.fromCases({ heldBack: 0.2 });
    expect(next.bundle.version).not.toBe(first.bundle.version);
    expect(next.bundle.evaluation.type!.corrections).toEqual({ applied: 1, corrected: 1, rate: 1 });
    expect(next.bundle.evaluation.product!.corrections).toEqual({ applied: 1, corrected: 0, rate: 0 });
    expect(next.bundle.evaluation.type!.counts.examples).toBe(TRIAGE_FIXTURE.length + 1);
  });
});
