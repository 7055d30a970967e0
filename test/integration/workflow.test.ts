/**
 * The case lifecycle as it runs for real: the ASL file CDK deploys, executed by the local Step
 * Functions runtime (lib/local/stepfunctions/), calling the real task handlers against DynamoDB
 * Local with a real configuration applied through the config repository. Every test asserts the
 * path the execution took (states, retries, catches), not just that it ended well: a Catch that
 * swallows everything would otherwise make a broken workflow look healthy.
 */
import { readFileSync } from 'node:fs';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { agentStateKey } from '../../functions/adapters/keys.js';
import type { Presence } from '../../functions/core/agent-state.js';
import type { CaseRecord } from '../../functions/core/case.js';
import type { RoutingConfigInput } from '../../functions/core/config.js';
import { parseRoutingConfig } from '../../functions/core/config.js';
import type { AdminAlert, AlertPublisher } from '../../functions/core/ports/notifications.js';
import type { CaseRepository } from '../../functions/core/ports/repositories.js';
import { makeSubmitWebCase } from '../../functions/core/use-cases/submit-web-case.js';
import type { AppDeps } from '../../functions/composition/deps.js';
import { makeAppDeps } from '../../functions/composition/deps.js';
import { CASE_LIFECYCLE_ASL_PATH } from '../../lib/paths.js';
import { loadCaseLifecycleDefinition } from '../../lib/local/stepfunctions/definition.js';
import { makeLocalWorkflow } from '../../lib/local/stepfunctions/workflow.js';
import type { LocalWorkflow } from '../../lib/local/stepfunctions/workflow.js';
import { freshTable } from '../support/dynamo.js';
import type { FreshTable } from '../support/dynamo.js';
import { fixedClock, makeCreateCommand } from '../support/fixtures.js';

const demoConfig = JSON.parse(readFileSync(new URL('../../config/demo.config.json', import.meta.url), 'utf8')) as RoutingConfigInput;
/** The demo configuration without its catch-all territory: a case from outside every region matches nothing. */
const noCatchAllConfig: RoutingConfigInput = { ...demoConfig, territories: (demoConfig.territories ?? []).filter((t) => t.id !== 'global') };

const demoDb = await freshTable('workflow-demo');
const strictDb = await freshTable('workflow-no-catch-all');

/** Monday 2025-03-03 09:00 UTC (10:00 in Berlin): inside every office's hours, so nothing depends on when the suite runs. */
const clock = fixedClock();

/** Retries wait this long locally instead of the ASL's seconds of backoff. */
const FAST_RETRY_MS = 5;

/**
 * The demo configuration has an SLA policy, so a routed case's execution goes on into its SLA loop
 * and waits (by the fixed clock: hours) in WaitForSlaDeadline. These tests are about the path to
 * there; the SLA loop has its own tests (test/integration/sla-workflow.test.ts). Stopped after the file.
 */
const running: LocalWorkflow[] = [];
afterAll(async () => {
  await Promise.all(running.map((w) => w.stop()));
});
const ROUTED_PATH = ['Begin', 'Stamp', 'StampOutcome', 'Route', 'StartSla', 'ScheduleSla', 'SlaOutcome', 'WaitForSlaDeadline'];
const untilSla = { until: 'WaitForSlaDeadline' };

interface Harness {
  deps: AppDeps;
  workflow: LocalWorkflow;
  alerts: AdminAlert[];
}

/** An AlertPublisher that keeps what it was given. */
function recordingAlerts(): { publisher: AlertPublisher; alerts: AdminAlert[] } {
  const alerts: AdminAlert[] = [];
  return { alerts, publisher: { publish: async (alert) => void alerts.push(alert) } };
}

/**
 * AppDeps on a table, wired to a local workflow the way the local stack wires it: the intake's
 * `workflow` starter is the local workflow's, and the task handlers are built from the same deps
 * (with `adjust` applied, to inject a failing dependency).
 */
function harness(db: FreshTable, adjust: (deps: AppDeps) => AppDeps = (d) => d): Harness {
  const { publisher, alerts } = recordingAlerts();
  let workflow: LocalWorkflow | undefined;
  const deps = adjust(makeAppDeps({ table: db.table, clock, alerts: publisher, workflow: { startCase: (caseId) => workflow!.starter.startCase(caseId) } }));
  workflow = makeLocalWorkflow({ deps, retryIntervalOverrides: FAST_RETRY_MS });
  running.push(workflow);
  return { deps, workflow, alerts };
}

/** Plain AppDeps on a table, for setting up and reading back (no workflow). */
function plainDeps(db: FreshTable): AppDeps {
  return makeAppDeps({ table: db.table, clock, alerts: recordingAlerts().publisher, workflow: { startCase: async () => undefined } });
}

async function applyConfig(db: FreshTable, input: RoutingConfigInput): Promise<void> {
  const deps = plainDeps(db);
  const current = await deps.configs.getCurrent();
  await deps.configs.put(parseRoutingConfig(input), current?.version ?? 0, 'workflow-test', clock.iso());
}

await applyConfig(demoDb, demoConfig);
await applyConfig(strictDb, noCatchAllConfig);

/** Sets an agent's presence and web load as if they had been working for a while. */
async function seedAgent(db: FreshTable, agentId: string, presence: Presence, webLoad: number): Promise<void> {
  const deps = plainDeps(db);
  await deps.agentStates.setPresence(agentId, presence, clock.iso());
  await db.client.send(
    new UpdateCommand({
      TableName: db.tableName,
      Key: agentStateKey(agentId),
      UpdateExpression: 'SET #load.#web = :n',
      ExpressionAttributeNames: { '#load': 'load', '#web': 'web' },
      ExpressionAttributeValues: { ':n': webLoad },
    }),
  );
}

/** A new web case from `country`, written the way intake writes one (case, first message, case_created). */
async function newCase(db: FreshTable, country: string): Promise<CaseRecord> {
  const command = makeCreateCommand({ channel: 'web', location: { country, city: 'Somewhere' }, account: { name: 'Acme' } });
  const result = await plainDeps(db).cases.create(command);
  if (!result.created) throw new Error('fixture case was not created');
  return result.case;
}

async function webLoad(db: FreshTable, agentId: string): Promise<number> {
  const state = await plainDeps(db).agentStates.get(agentId);
  return state?.load.web ?? 0;
}

describe('the local runtime itself', () => {
  it('runs on a Node with Promise.withResolvers (aws-local-stepfunctions 3 calls it in every Task)', () => {
    // Node 22 has it (package.json engines; the local stack refuses an older Node). Without it every Task
    // would throw, the Catch would swallow it, and the workflow would look "handled" for the wrong reason.
    expect(typeof Promise.withResolvers).toBe('function');
  });

  it('names what it is still waiting for, and refuses new executions once stopped', async () => {
    const workflow = makeLocalWorkflow({ deps: () => plainDeps(demoDb) });
    await expect(workflow.waitFor('NEVER-STARTED', { timeoutMs: 20 })).rejects.toThrow(/no execution named NEVER-STARTED started within 20 ms/);
    await expect(workflow.starter.startCase('not a valid name')).rejects.toMatchObject({ name: 'InvalidName' });
    await workflow.stop();
    await expect(workflow.starter.startCase('01ANYTHING')).rejects.toThrow(/stopped/);
    expect(workflow.executions()).toEqual([]);
  });
});

describe('case-lifecycle definition', () => {
  const raw = JSON.parse(readFileSync(CASE_LIFECYCLE_ASL_PATH, 'utf8')) as { QueryLanguage?: string; States: Record<string, Record<string, unknown>> };
  const states = raw.States;
  const tasks = Object.entries(states).filter(([, s]) => s.Type === 'Task');
  type Retrier = {
    ErrorEquals: string[];
    MaxAttempts?: number;
    BackoffRate?: number;
    JitterStrategy?: string;
    MaxDelaySeconds?: number;
    IntervalSeconds?: number;
  };

  it('is JSONPath, and its tasks call exactly the function placeholders CDK substitutes', () => {
    expect(raw.QueryLanguage).toBe('JSONPath');
    expect(Object.fromEntries(tasks.map(([name, s]) => [name, s.Resource]))).toEqual({
      Stamp: '${StampFunctionArn}',
      Route: '${RouteFunctionArn}',
      ScheduleSla: '${ScheduleSlaFunctionArn}',
      EvaluateSla: '${EvaluateSlaFunctionArn}',
      ContinueAsNew: '${ContinueSlaFunctionArn}',
      SendToReview: '${FailedFunctionArn}',
    });
  });

  it.each(tasks.map(([name]) => name))('%s retries transient errors with backoff and full jitter, and has a timeout', (name) => {
    const state = states[name]!;
    const retry = state.Retry as Retrier[];
    expect(state.TimeoutSeconds).toBeGreaterThan(30); // above the task functions' Lambda timeout
    const retried = (error: string) => retry.find((r) => r.ErrorEquals.includes(error) || r.ErrorEquals.includes('States.ALL'));
    for (const transient of [
      'Lambda.ServiceException',
      'Lambda.AWSLambdaException',
      'Lambda.SdkClientException',
      'Lambda.TooManyRequestsException',
      'ProvisionedThroughputExceededException',
      'ThrottlingException',
      'TransactionConflictException',
      'InternalServerError',
      'StoreUnavailableError',
      'ConflictError',
      'States.Timeout',
    ]) {
      const r = retried(transient);
      expect(r, transient).toBeDefined();
      expect(r!.ErrorEquals, `${transient} has a retrier of its own, not only the catch-all`).not.toContain('States.ALL');
      expect(r!.MaxAttempts, transient).toBeGreaterThanOrEqual(3);
    }
    if (name !== 'SendToReview') expect(retried('ConfigurationMissingError')!.ErrorEquals).toContain('ConfigurationMissingError');
    for (const r of retry.filter((x) => (x.MaxAttempts ?? 3) > 0)) {
      expect(r).toMatchObject({ JitterStrategy: 'FULL', BackoffRate: expect.any(Number), MaxDelaySeconds: expect.any(Number) });
      expect(r.BackoffRate).toBeGreaterThan(1);
    }
    // States.ALL must come last, alone (ASL), and few times.
    const last = retry[retry.length - 1]!;
    expect(last.ErrorEquals).toEqual(['States.ALL']);
    expect(last.MaxAttempts).toBeLessThanOrEqual(4);
  });

  it('catches every failure of Stamp and Route into a pass state that names it, then SendToReview', () => {
    for (const [name, state] of tasks.filter(([n]) => n !== 'SendToReview')) {
      expect(state.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: `${name}Failed` }]);
      expect(states[`${name}Failed`]).toMatchObject({ Type: 'Pass', Result: name, ResultPath: '$.failedState', Next: 'SendToReview' });
    }
    expect(states.SendToReview).toMatchObject({
      Parameters: { 'caseId.$': '$.caseId', 'failedState.$': '$.failedState', 'error.$': '$.error' },
      ResultPath: '$.review',
      Next: 'SentToReview',
    });
    expect(states.SendToReview).not.toHaveProperty('Catch');
  });

  it('loads with local ARNs substituted, and the library accepts it', () => {
    const definition = loadCaseLifecycleDefinition();
    expect(JSON.stringify(definition)).not.toMatch(/\$\{/);
    expect(() => makeLocalWorkflow({ deps: () => plainDeps(demoDb), definition })).not.toThrow();
  });
});

describe('case lifecycle against DynamoDB Local', () => {
  it('(a) routes a German web case from DE to the least busy online member of its queue who speaks German', async () => {
    // emea: luke (online, 2 web cases, speaks de), leia (online, 1, no German), obiwan (offline, idle).
    // Leia is less busy, but the case's language is detected as German, so luke gets it.
    await seedAgent(demoDb, 'luke', 'online', 2);
    await seedAgent(demoDb, 'leia', 'online', 1);
    await seedAgent(demoDb, 'obiwan', 'offline', 0);
    const h = harness(demoDb);
    const submitWebCase = makeSubmitWebCase({ ...h.deps, limits: h.deps.webLimits });

    // Through intake, which starts the execution itself, exactly as in the local stack and in AWS.
    const submitted = await submitWebCase(
      { email: 'kunde@example.de', name: 'Erika Mustermann', subject: 'Lampe flackert', description: 'Seit gestern.', country: 'DE' },
      { clientIp: '192.0.2.10' },
    );
    const execution = await h.workflow.waitFor(submitted.caseId, untilSla);

    expect(execution.status).toBe('RUNNING');
    expect(execution.states).toEqual(ROUTED_PATH);
    expect(execution.retries).toEqual([]);
    expect(execution.caught).toEqual([]);
    // Still running (waiting for its SLA deadline): what Route handed on is in its StateExited event.
    expect(execution.history.find((e) => e.type === 'StateExited' && e.state.name === 'Route')).toMatchObject({
      state: {
        output: {
          caseId: submitted.caseId,
          stamp: { next: 'route', territory: 'dach', queue: 'emea' },
          route: { status: 'assigned', owner: 'luke', queue: 'emea', racesLost: 0 },
        },
      },
    });

    const stored = await h.deps.cases.getWithHistory(submitted.caseId);
    expect(stored?.case).toMatchObject({ status: 'assigned', owner: 'luke', queue: 'emea', territory: 'dach', language: 'de', priority: 'medium' });
    expect(stored?.events.map((e) => e.activity)).toEqual(['case_created', 'normalised', 'priority_set', 'territory_stamped', 'assigned', 'sla_clock_started']);
    expect(stored?.events.find((e) => e.activity === 'normalised')?.details).toMatchObject({
      changes: [expect.objectContaining({ field: 'language', after: 'de' })],
    });
    expect(stored?.events.find((e) => e.activity === 'assigned')?.details).toMatchObject({ owner: 'luke', queue: 'emea' });
    // Why luke: least_busy over the online members who speak German, as stored with the decision.
    const assignment = stored?.decisions.find((d) => d.kind === 'assignment')?.details as {
      steps: { candidates: { agentId: string; removedBy?: unknown }[] }[];
    };
    expect(assignment).toMatchObject({
      queue: 'emea',
      steps: [expect.objectContaining({ queue: 'emea', method: 'least_busy', ranking: ['luke'] })],
    });
    expect(assignment.steps[0]!.candidates).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ agentId: 'leia', removedBy: { filter: 'language', reason: 'does not speak de' } }),
        expect.objectContaining({ agentId: 'obiwan', removedBy: { filter: 'presence', reason: 'presence is offline' } }),
      ]),
    );
    expect(stored?.decisions.map((d) => [d.kind, d.outcome]).sort()).toEqual([
      ['assignment', 'luke'],
      ['priority', 'medium'],
      ['territory', 'dach'],
    ]);
    expect(await webLoad(demoDb, 'leia')).toBe(1);
    expect(await webLoad(demoDb, 'luke')).toBe(3);
    expect(h.alerts).toEqual([]);
  });

  it('(b) leaves the case queued when no member of its queue is online', async () => {
    // emea's members and those of general, its overflow queue.
    for (const agent of ['luke', 'leia', 'obiwan', 'han', 'anakin']) await seedAgent(demoDb, agent, 'offline', 0);
    const h = harness(demoDb);
    const c = await newCase(demoDb, 'AT');

    await h.workflow.starter.startCase(c.caseId);
    const execution = await h.workflow.waitFor(c.caseId, untilSla);

    expect(execution.status).toBe('RUNNING');
    expect(execution.states).toEqual(ROUTED_PATH);
    expect(execution.history.find((e) => e.type === 'StateExited' && e.state.name === 'Route')).toMatchObject({
      state: { output: { route: { status: 'queued', queue: 'emea' } } },
    });
    const stored = await h.deps.cases.getWithHistory(c.caseId);
    expect(stored?.case).toMatchObject({ status: 'queued', queue: 'emea', territory: 'dach' });
    expect(stored?.case.owner).toBeUndefined();
    expect(stored?.events.map((e) => e.activity)).toEqual(['case_created', 'priority_set', 'territory_stamped', 'queued', 'sla_clock_started']);
    expect(stored?.decisions.find((d) => d.kind === 'assignment')?.outcome).toBe('queued');
    expect(h.alerts).toEqual([]);
  });

  it('(c) sends a case that matches no territory to review, alerts admins, and never routes it', async () => {
    const h = harness(strictDb);
    const c = await newCase(strictDb, 'BR');

    await h.workflow.starter.startCase(c.caseId);
    const execution = await h.workflow.waitFor(c.caseId);

    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.states).toEqual(['Begin', 'Stamp', 'StampOutcome', 'AwaitingReview']);
    expect(execution.output).toMatchObject({ stamp: { next: 'review', status: 'needs_review', queue: 'review' } });
    const stored = await h.deps.cases.getWithHistory(c.caseId);
    expect(stored?.case).toMatchObject({ status: 'needs_review', queue: 'review', reviewReason: 'no territory matches this case' });
    expect(stored?.case.owner).toBeUndefined();
    expect(stored?.events.map((e) => e.activity)).toEqual(['case_created', 'priority_set', 'sent_to_review']);
    expect(stored?.decisions.map((d) => [d.kind, d.outcome]).sort()).toEqual([
      ['priority', 'medium'],
      ['territory', 'none'],
    ]);
    expect(h.alerts).toHaveLength(1);
    expect(h.alerts[0]).toMatchObject({ caseId: c.caseId, subject: `Case ${c.caseNumber} matches no territory` });
  });

  it('(d) retries a task that hits DynamoDB throttling once, and the case is still assigned', async () => {
    await seedAgent(demoDb, 'luke', 'online', 0);
    await seedAgent(demoDb, 'leia', 'offline', 0);
    await seedAgent(demoDb, 'obiwan', 'offline', 0);
    let reads = 0;
    const h = harness(demoDb, (deps) => ({ ...deps, cases: throttledFirstGet(deps.cases, () => ++reads) }));
    const c = await newCase(demoDb, 'DE');

    await h.workflow.starter.startCase(c.caseId);
    const execution = await h.workflow.waitFor(c.caseId, untilSla);

    expect(execution.status).toBe('RUNNING');
    expect(execution.states).toEqual(ROUTED_PATH);
    expect(execution.failures.map((f) => [f.state, f.error])).toEqual([['Stamp', 'ProvisionedThroughputExceededException']]);
    expect(execution.retries).toEqual([{ state: 'Stamp', error: 'ProvisionedThroughputExceededException', attempt: 1 }]);
    expect(execution.caught).toEqual([]);
    expect(reads).toBeGreaterThanOrEqual(3); // the throttled read, Stamp's retry, Route's read
    const stored = await h.deps.cases.getWithHistory(c.caseId);
    expect(stored?.case).toMatchObject({ status: 'assigned', owner: 'luke' });
    // The retried Stamp ran once for real: one stamp event, one territory decision.
    expect(stored?.events.map((e) => e.activity)).toEqual(['case_created', 'priority_set', 'territory_stamped', 'assigned', 'sla_clock_started']);
    expect(await webLoad(demoDb, 'luke')).toBe(1);
    expect(h.alerts).toEqual([]);
  });

  it('(e) a task that keeps failing is caught: the case goes to review with the error on record and admins are alerted', async () => {
    await seedAgent(demoDb, 'luke', 'online', 0);
    const h = harness(demoDb, (deps) => ({
      ...deps,
      agentStates: {
        ...deps.agentStates,
        getMany: async () => {
          throw new Error('agent state store unavailable');
        },
      },
    }));
    const c = await newCase(demoDb, 'DE');

    await h.workflow.starter.startCase(c.caseId);
    const execution = await h.workflow.waitFor(c.caseId);

    // Handled: the case is safe in review, so the execution succeeds (a FAILED one means a stuck case).
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.states).toEqual(['Begin', 'Stamp', 'StampOutcome', 'Route', 'RouteFailed', 'SendToReview', 'SentToReview']);
    // The catch-all retrier (MaxAttempts 2) ran out before the Catch.
    expect(execution.retries).toEqual([
      { state: 'Route', error: 'Error', attempt: 1 },
      { state: 'Route', error: 'Error', attempt: 2 },
    ]);
    expect(execution.caught).toEqual([{ state: 'Route', error: 'Error', next: 'RouteFailed' }]);
    expect(execution.output).toMatchObject({
      caseId: c.caseId,
      failedState: 'Route',
      error: { Error: 'Error' },
      review: { caseId: c.caseId, status: 'needs_review' },
    });
    // The Cause crosses the boundary as the Lambda runtime's JSON, as in AWS.
    const cause = JSON.parse((execution.output as { error: { Cause: string } }).error.Cause) as Record<string, unknown>;
    expect(cause).toMatchObject({ errorType: 'Error', errorMessage: 'agent state store unavailable' });

    const stored = await h.deps.cases.getWithHistory(c.caseId);
    // It waits in the review queue, where a person looks, not in its territory's queue.
    expect(stored?.case).toMatchObject({ status: 'needs_review', territory: 'dach', queue: 'review', reviewReason: 'workflow step failed: Route: Error' });
    expect(stored?.case.owner).toBeUndefined();
    expect(stored?.events.map((e) => e.activity)).toEqual(['case_created', 'priority_set', 'territory_stamped', 'sent_to_review']);
    expect(stored?.events.at(-1)?.details).toEqual({
      reason: 'workflow_failed',
      state: 'Route',
      error: 'Error',
      cause: 'agent state store unavailable',
      previousQueue: 'emea',
      previousOwner: null,
    });
    expect(await webLoad(demoDb, 'luke')).toBe(0);
    expect(h.alerts).toHaveLength(1);
    expect(h.alerts[0]).toMatchObject({ caseId: c.caseId, subject: `Case ${c.caseNumber} needs manual review` });
    expect(h.alerts[0]!.message).toContain('Route: Error');
  });

  it('(f) starting the same case twice runs one execution', async () => {
    await seedAgent(demoDb, 'luke', 'online', 0);
    const h = harness(demoDb);
    const c = await newCase(demoDb, 'CH');

    await Promise.all([h.workflow.starter.startCase(c.caseId), h.workflow.starter.startCase(c.caseId)]);
    await h.workflow.waitFor(c.caseId, untilSla);
    await h.workflow.starter.startCase(c.caseId); // while it waits for its SLA deadline, too (ExecutionAlreadyExists)

    expect(h.workflow.executions().map((e) => [e.name, e.status])).toEqual([[c.caseId, 'RUNNING']]);
    const stored = await h.deps.cases.getWithHistory(c.caseId);
    expect(stored?.case).toMatchObject({ status: 'assigned', owner: 'luke' });
    expect(stored?.events.map((e) => e.activity)).toEqual(['case_created', 'priority_set', 'territory_stamped', 'assigned', 'sla_clock_started']);
    expect(await webLoad(demoDb, 'luke')).toBe(1);
  });

  it('(g) when even SendToReview fails, the execution FAILS: the one outcome that means a stuck case', async () => {
    await seedAgent(demoDb, 'luke', 'online', 0);
    const h = harness(demoDb, (deps) => ({
      ...deps,
      agentStates: { ...deps.agentStates, getMany: async () => Promise.reject(new Error('agent state store unavailable')) },
      alerts: { publish: async () => Promise.reject(Object.assign(new Error('topic unreachable'), { name: 'AlertsUnavailableError' })) },
    }));
    const c = await newCase(demoDb, 'DE');

    await h.workflow.starter.startCase(c.caseId);
    const execution = await h.workflow.waitFor(c.caseId);

    expect(execution.status).toBe('FAILED');
    expect(execution.states).toEqual(['Begin', 'Stamp', 'StampOutcome', 'Route', 'RouteFailed', 'SendToReview']);
    expect(execution.retries.filter((r) => r.state === 'SendToReview').map((r) => r.error)).toEqual(Array(4).fill('AlertsUnavailableError'));
    expect(execution.error).toMatchObject({ error: 'AlertsUnavailableError' });
    expect(JSON.parse(execution.error!.cause)).toMatchObject({ errorType: 'AlertsUnavailableError', errorMessage: 'topic unreachable' });
    // The first attempt did move the case before the alert failed; only the alert is missing.
    expect((await h.deps.cases.get(c.caseId))?.status).toBe('needs_review');
  });
});

/** A case repository whose first `get` fails as DynamoDB does when throttled past the SDK's retries. */
function throttledFirstGet(cases: CaseRepository, count: () => number): CaseRepository {
  return {
    ...cases,
    async get(caseId) {
      if (count() === 1) {
        throw Object.assign(new Error('The level of configured provisioned throughput for the table was exceeded.'), {
          name: 'ProvisionedThroughputExceededException',
        });
      }
      return cases.get(caseId);
    },
  };
}
