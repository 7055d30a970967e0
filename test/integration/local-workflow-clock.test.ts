/**
 * The local workflow's timestamp waits (lib/local/stepfunctions/timestamp-waits.ts), run by
 * aws-local-stepfunctions: on a virtual clock an execution parks in its Wait state until the clock is
 * advanced to the timestamp, and the advance returns once it has moved on; on a real clock the wait
 * ends at wall-clock time, as before. Small definitions of Pass and Wait states keep this about the
 * mechanism; the SLA loop of the real ASL file on the virtual clock is test/integration/sla-workflow.test.ts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { StateMachineDefinition } from '../../lib/local/stepfunctions/definition.js';
import { loadCaseLifecycleDefinition } from '../../lib/local/stepfunctions/definition.js';
import { TIMESTAMP_WAIT_RESOURCE, playTimestampWaits } from '../../lib/local/stepfunctions/timestamp-waits.js';
import type { LocalWorkflow } from '../../lib/local/stepfunctions/workflow.js';
import { makeLocalWorkflow } from '../../lib/local/stepfunctions/workflow.js';
import { makeVirtualClock } from '../../lib/local/virtual-clock.js';
import type { Clock } from '../../functions/core/ports/clock.js';

const T0 = Date.parse('2025-03-03T09:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** Pass (the plan: two instants) ▶ FirstWait until the first ▶ SecondWait until the second ▶ Woken. */
function twoWaits(first: string, second: string): StateMachineDefinition {
  return {
    StartAt: 'Plan',
    States: {
      Plan: { Type: 'Pass', Result: { first, second }, ResultPath: '$.plan', Next: 'FirstWait' },
      FirstWait: { Type: 'Wait', TimestampPath: '$.plan.first', Next: 'SecondWait' },
      SecondWait: { Type: 'Wait', TimestampPath: '$.plan.second', Next: 'Woken' },
      Woken: { Type: 'Succeed' },
    },
  } as StateMachineDefinition;
}

const workflows: LocalWorkflow[] = [];
afterAll(async () => {
  await Promise.all(workflows.map((w) => w.stop()));
});

/** A local workflow of `definition` on `clock`; it has no Task states, so it never builds task handlers. */
function workflowOf(definition: StateMachineDefinition, clock: Clock): LocalWorkflow {
  const workflow = makeLocalWorkflow({
    definition,
    clock,
    deps: () => {
      throw new Error('no task handlers here');
    },
  });
  workflows.push(workflow);
  return workflow;
}

describe('a Wait state with a TimestampPath, played by the local runner', () => {
  it('keeps its name, place and data flow in the definition the runner runs; the source is not changed', () => {
    const source = loadCaseLifecycleDefinition();
    const before = JSON.stringify(source);
    const { definition, waits } = playTimestampWaits(source);
    expect(JSON.stringify(source)).toBe(before);
    expect([...waits]).toEqual([['WaitForSlaDeadline', ['sla', 'wakeAt']]]);
    expect(definition.States.WaitForSlaDeadline).toMatchObject({ Type: 'Task', Resource: TIMESTAMP_WAIT_RESOURCE, ResultPath: null, Next: 'EvaluateSla' });
    // Every other state is exactly the file's.
    for (const [name, state] of Object.entries(source.States)) if (name !== 'WaitForSlaDeadline') expect(definition.States[name]).toEqual(state);
  });

  it('on a virtual clock: parked until the clock reaches each timestamp, in turn; an advance returns once the execution has moved on', async () => {
    const clock = makeVirtualClock(T0);
    const workflow = workflowOf(twoWaits(iso(T0 + 1000), iso(T0 + 3000)), clock);
    await workflow.starter.startCase('case-1');
    await clock.settle();
    let record = (await workflow.waitFor('case-1', { until: 'FirstWait' }))!;
    expect(record.status).toBe('RUNNING');
    expect(record.states).toEqual(['Plan', 'FirstWait']);
    expect(clock.pending()).toEqual([{ at: iso(T0 + 1000), label: 'execution case-1: FirstWait' }]);

    await clock.advanceTo(T0 + 999);
    expect(workflow.executions()[0]!.states).toEqual(['Plan', 'FirstWait']);

    await clock.advanceTo(T0 + 1000);
    record = workflow.executions()[0]!;
    expect(record.status).toBe('RUNNING');
    expect(record.states).toEqual(['Plan', 'FirstWait', 'SecondWait']);
    expect(clock.pending()).toEqual([{ at: iso(T0 + 3000), label: 'execution case-1: SecondWait' }]);

    // Past the second instant in one advance: it has finished by the time the advance returns.
    await clock.advanceTo(T0 + 60_000);
    expect(workflow.statusOf('case-1')).toBe('SUCCEEDED');
    record = workflow.executions()[0]!;
    expect(record.states).toEqual(['Plan', 'FirstWait', 'SecondWait', 'Woken']);
    // A wait's output is its input, and its events say Wait, as the definition does.
    expect(record.output).toEqual({ caseId: 'case-1', plan: { first: iso(T0 + 1000), second: iso(T0 + 3000) } });
    const entered = record.history.filter((e) => e.type === 'StateEntered').map((e) => [e.state.name, e.state.type]);
    expect(entered).toEqual([
      ['Plan', 'Pass'],
      ['FirstWait', 'Wait'],
      ['SecondWait', 'Wait'],
      ['Woken', 'Succeed'],
    ]);
    expect(clock.pending()).toEqual([]);
  });

  it('on a virtual clock: a timestamp already past does not wait; a stopped execution leaves no timer behind', async () => {
    const clock = makeVirtualClock(T0);
    const past = workflowOf(twoWaits(iso(T0 - 5000), iso(T0)), clock);
    await past.starter.startCase('case-past');
    await clock.settle();
    expect(past.statusOf('case-past')).toBe('SUCCEEDED');

    const parked = workflowOf(twoWaits(iso(T0 + 86_400_000), iso(T0 + 2 * 86_400_000)), clock);
    await parked.starter.startCase('case-parked');
    await clock.settle();
    expect(clock.pending()).toHaveLength(1);
    await parked.stop();
    expect(parked.statusOf('case-parked')).toBe('ABORTED');
    expect(clock.pending()).toEqual([]);
  });

  it('on a real clock: the wait ends at wall-clock time, not before', async () => {
    const systemClock: Clock = { now: () => new Date() };
    const wakeAt = Date.now() + 400;
    const workflow = workflowOf(twoWaits(iso(wakeAt), iso(wakeAt)), systemClock);
    await workflow.starter.startCase('case-real');
    const record = await workflow.waitFor('case-real');
    expect(record.status).toBe('SUCCEEDED');
    expect(Date.now()).toBeGreaterThanOrEqual(wakeAt);
    const exited = record.history.find((e) => e.type === 'StateExited' && e.state.name === 'FirstWait')!;
    expect(exited.timestamp).toBeGreaterThanOrEqual(wakeAt);
  });

  it('on a real clock: stopping ends a long wait at once', async () => {
    const workflow = workflowOf(twoWaits(iso(Date.now() + 86_400_000), iso(Date.now() + 86_400_000)), { now: () => new Date() });
    await workflow.starter.startCase('case-long');
    await workflow.waitFor('case-long', { until: 'FirstWait' });
    await workflow.stop();
    expect(workflow.statusOf('case-long')).toBe('ABORTED');
  });

  it('a TimestampPath that holds no timestamp fails the execution with States.Runtime, as the service does', async () => {
    const clock = makeVirtualClock(T0);
    const workflow = workflowOf(twoWaits('tomorrow morning', iso(T0)), clock);
    await workflow.starter.startCase('case-bad');
    await clock.settle();
    const record = await workflow.waitFor('case-bad');
    expect(record.status).toBe('FAILED');
    expect(record.error).toMatchObject({ error: 'States.Runtime' });
    expect(record.error!.cause).toMatch(/\$\.plan\.first.*"tomorrow morning".*RFC3339/);
    expect(record.states).toEqual(['Plan', 'FirstWait']);
  });
});
