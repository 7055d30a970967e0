/**
 * The SLA loop and the sweep schedule as CDK deploys them: the workflow's new task functions and what
 * each may do, the EventBridge Scheduler schedule (rate from context) with a role that may invoke the
 * sweep function only, and notifications by SES only when there is a sending identity.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CASE_LIFECYCLE_ASL_PATH } from '../../lib/paths.js';
import { LIFECYCLE_TASK_HANDLERS } from '../../lib/workflow.js';
import { logicalId, synthCaseflow, type Resources, statementsOfRole, asArray } from '../support/synth.js';

describe('the sweep schedule', () => {
  let synth: ReturnType<typeof synthCaseflow>;
  let resources: Resources;
  beforeAll(() => {
    synth = synthCaseflow();
    resources = synth.template.toJSON().Resources as Resources;
  });

  it('runs the sweep function every minute by default, through EventBridge Scheduler, without retries', () => {
    const schedules = Object.values(resources).filter((r) => r.Type === 'AWS::Scheduler::Schedule');
    expect(schedules).toHaveLength(1);
    const schedule = schedules[0]!.Properties;
    const sweep = logicalId(synth.stack.sweeps.sweepFunction, synth.stack);
    expect(schedule.ScheduleExpression).toBe('rate(1 minute)');
    expect(schedule.State).toBe('ENABLED');
    expect(schedule.Target.Arn).toEqual({ 'Fn::GetAtt': [sweep, 'Arn'] });
    expect(schedule.Target.RetryPolicy).toMatchObject({ MaximumRetryAttempts: 0 });
    // Every part but the queue-depth gauge, which only the dashboard shows (off by default).
    expect(JSON.parse(schedule.Target.Input)).toEqual({
      source: 'caseflow.sweep-schedule',
      parts: ['acceptTimeouts', 'absentAgents', 'endOfShift', 'onHoldLimits', 'dispatch'],
    });
    // Lambda's own asynchronous retries are off too: the next run is a minute away.
    const invokeConfig = Object.values(resources).find((r) => r.Type === 'AWS::Lambda::EventInvokeConfig' && r.Properties.FunctionName.Ref === sweep)!;
    expect(invokeConfig.Properties.MaximumRetryAttempts).toBe(0);
  });

  it("assumes a role that only this account's schedules can assume and that may only invoke the sweep function (and dead-letter to its queue)", () => {
    const schedule = Object.values(resources).find((r) => r.Type === 'AWS::Scheduler::Schedule')!.Properties;
    const roleId = schedule.Target.RoleArn['Fn::GetAtt'][0];
    const role = resources[roleId]!.Properties;
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      }),
    ]);
    expect(role.ManagedPolicyArns).toBeUndefined();
    const statements = statementsOfRole(resources, roleId);
    expect(statements.flatMap((s) => asArray(s.Action)).sort()).toEqual(['lambda:InvokeFunction', 'sqs:SendMessage']);
    const sweep = logicalId(synth.stack.sweeps.sweepFunction, synth.stack);
    const dlq = logicalId(synth.stack.sweeps.deadLetterQueue, synth.stack);
    for (const statement of statements) {
      for (const resource of asArray(statement.Resource)) {
        expect(JSON.stringify(resource)).toContain(asArray(statement.Action).includes('sqs:SendMessage') ? dlq : sweep);
      }
    }
  });

  it('gives the sweep function the table, the alerts topic and StartExecution, and no email without a domain', () => {
    const fn = resources[logicalId(synth.stack.sweeps.sweepFunction, synth.stack)]!;
    const actions = statementsOfRole(resources, fn.Properties.Role['Fn::GetAtt'][0]).flatMap((s) => asArray<string>(s.Action));
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:Query', 'dynamodb:UpdateItem', 'sns:Publish', 'states:StartExecution']));
    expect(actions.some((a) => a.startsWith('ses:'))).toBe(false);
    expect(fn.Properties.Environment.Variables.EMAIL_FROM_ADDRESS).toBeUndefined();
    expect(fn.Properties.Timeout).toBeLessThan(60);
  });

  it('follows the sweepScheduleMinutes context', () => {
    const five = synthCaseflow({ context: { sweepScheduleMinutes: '5' } });
    const schedule = Object.values(five.template.toJSON().Resources as Resources).find((r) => r.Type === 'AWS::Scheduler::Schedule')!;
    expect(schedule.Properties.ScheduleExpression).toBe('rate(5 minutes)');
  });

  it("with an email domain, the sweep and the SLA evaluator send agents' notifications from its identity, and only they", () => {
    const withEmail = synthCaseflow({ context: { sesDomain: 'support.example.com' } });
    const res = withEmail.template.toJSON().Resources as Resources;
    const senders = [withEmail.stack.sweeps.sweepFunction, withEmail.stack.workflow.taskFunctions['workflow-evaluate-sla']];
    for (const fnConstruct of senders) {
      const fn = res[logicalId(fnConstruct, withEmail.stack)]!;
      expect(fn.Properties.Environment.Variables.EMAIL_FROM_ADDRESS).toBe('support@support.example.com');
      const ses = statementsOfRole(res, fn.Properties.Role['Fn::GetAtt'][0]).filter((s) => asArray<string>(s.Action).some((a) => a.startsWith('ses:')));
      expect(ses).toHaveLength(1);
      expect(ses[0].Action).toEqual(['ses:SendEmail', 'ses:SendRawEmail']);
      expect(JSON.stringify(ses[0].Resource)).toContain(':identity/support.example.com');
    }
    for (const handler of ['workflow-schedule-sla', 'workflow-continue-sla'] as const) {
      const fn = res[logicalId(withEmail.stack.workflow.taskFunctions[handler], withEmail.stack)]!;
      const actions = statementsOfRole(res, fn.Properties.Role['Fn::GetAtt'][0]).flatMap((s) => asArray<string>(s.Action));
      expect(
        actions.some((a) => a.startsWith('ses:') || a.startsWith('sns:')),
        handler,
      ).toBe(false);
    }
  });
});

describe('the SLA loop in the state machine', () => {
  const asl = JSON.parse(readFileSync(CASE_LIFECYCLE_ASL_PATH, 'utf8')) as { StartAt: string; States: Record<string, any> };
  const S = asl.States;

  it('has a task function for each of its SLA states', () => {
    expect(LIFECYCLE_TASK_HANDLERS).toMatchObject({
      ScheduleSlaFunctionArn: 'workflow-schedule-sla',
      EvaluateSlaFunctionArn: 'workflow-evaluate-sla',
      ContinueSlaFunctionArn: 'workflow-continue-sla',
    });
    expect(S.ScheduleSla.Resource).toBe('${ScheduleSlaFunctionArn}');
    expect(S.EvaluateSla.Resource).toBe('${EvaluateSlaFunctionArn}');
    expect(S.ContinueAsNew.Resource).toBe('${ContinueSlaFunctionArn}');
  });

  it('routes, then waits on a timestamp and loops: Route ▶ StartSla ▶ ScheduleSla ▶ SlaOutcome ▶ WaitForSlaDeadline ▶ EvaluateSla ▶ SlaOutcome', () => {
    expect(S.Route.Next).toBe('StartSla');
    expect(S.StartSla).toMatchObject({ Type: 'Pass', Result: 1, ResultPath: '$.generation', Next: 'ScheduleSla' });
    expect(S.ScheduleSla).toMatchObject({ ResultPath: '$.sla', Next: 'SlaOutcome' });
    expect(S.SlaOutcome.Type).toBe('Choice');
    expect(S.SlaOutcome.Choices).toEqual([
      { Variable: '$.sla.next', StringEquals: 'wait', Next: 'WaitForSlaDeadline' },
      { Variable: '$.sla.next', StringEquals: 'continue', Next: 'ContinueAsNew' },
    ]);
    expect(S.SlaOutcome.Default).toBe('Done');
    // A Wait until a timestamp, not polling.
    expect(S.WaitForSlaDeadline).toEqual(expect.objectContaining({ Type: 'Wait', TimestampPath: '$.sla.wakeAt', Next: 'EvaluateSla' }));
    expect(S.WaitForSlaDeadline.Seconds).toBeUndefined();
    expect(S.EvaluateSla).toMatchObject({ ResultPath: '$.sla', Next: 'SlaOutcome' });
    expect(S.ContinueAsNew).toMatchObject({ Next: 'ContinuedAsNew' });
    expect(S.ContinuedAsNew.Type).toBe('Succeed');
  });

  it('continues as a new execution well before the 25,000-event history limit', () => {
    const maxLoops = S.EvaluateSla.Parameters.maxLoops as number;
    // Per loop: Wait (2 events), EvaluateSla task (5), SlaOutcome (2); leave room for retries (4 each).
    expect(maxLoops * (2 + 5 + 2) + maxLoops * 4).toBeLessThan(25_000);
    expect(S.ContinueAsNew.Parameters).toEqual({ 'caseId.$': '$.caseId', 'generation.$': '$.generation', 'stateMachineArn.$': '$$.StateMachine.Id' });
    // A later generation enters straight at its clock.
    expect(asl.StartAt).toBe('Begin');
    expect(S.Begin.Choices).toEqual([{ Variable: '$.generation', IsPresent: true, Next: 'ScheduleSla' }]);
    expect(S.Begin.Default).toBe('Stamp');
  });

  it('sends a failure of any SLA task to review, like every other task', () => {
    for (const name of ['ScheduleSla', 'EvaluateSla', 'ContinueAsNew']) {
      expect(S[name].Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: `${name}Failed` }]);
      expect(S[`${name}Failed`]).toMatchObject({ Type: 'Pass', Result: name, ResultPath: '$.failedState', Next: 'SendToReview' });
      expect(S[name].Retry).toEqual(S.Route.Retry);
    }
  });
});
