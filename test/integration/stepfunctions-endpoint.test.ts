/**
 * The local stack's StartExecution endpoint (lib/local/stepfunctions/endpoint.ts), spoken to by the AWS SDK's
 * SFNClient through the adapter Lambda uses (functions/adapters/step-functions.ts): how `npm run
 * redrive`, another process, starts a case's workflow in the running stack. Step Functions' rules
 * hold: the name is the case's, a running execution is returned again, an ended one is
 * ExecutionAlreadyExists (which the adapter takes as "already started"), anything else is refused
 * with the service's own error names.
 */
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, describe, expect, it } from 'vitest';
import { makeStepFunctionsStarter } from '../../functions/adapters/step-functions.js';
import { LOCAL_STATE_MACHINE_ARN } from '../../lib/local/stepfunctions/definition.js';
import { startStepFunctionsEndpoint } from '../../lib/local/stepfunctions/endpoint.js';
import type { ExecutionStatus } from '../../lib/local/stepfunctions/executions.js';

const started: { caseId: string; generation?: number }[] = [];
const statuses = new Map<string, ExecutionStatus>();
const endpoint = await startStepFunctionsEndpoint({
  starter: {
    async startCase(caseId, options = {}) {
      started.push({ caseId, ...(options.generation ? { generation: options.generation } : {}) });
      statuses.set(options.generation && options.generation > 1 ? `${caseId}-g${options.generation}` : caseId, 'RUNNING');
    },
  },
  statusOf: (name) => statuses.get(name),
});
const client = new SFNClient({
  endpoint: endpoint.endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  maxAttempts: 1,
});
afterAll(async () => {
  client.destroy();
  await endpoint.close();
});

const starter = makeStepFunctionsStarter(client, endpoint.stateMachineArn);

describe('StartExecution for other local processes', () => {
  it('listens on loopback only, for the local state machine', () => {
    expect(endpoint.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(endpoint.stateMachineArn).toBe(LOCAL_STATE_MACHINE_ARN);
  });

  it('starts a case (and a later generation of its SLA loop) through the Lambda adapter', async () => {
    await starter.startCase('01CASEAAAAAAAAAAAAAAAAAAAA');
    await starter.startCase('01CASEAAAAAAAAAAAAAAAAAAAA', { generation: 3 });
    expect(started).toEqual([{ caseId: '01CASEAAAAAAAAAAAAAAAAAAAA' }, { caseId: '01CASEAAAAAAAAAAAAAAAAAAAA', generation: 3 }]);
  });

  it('answers a second start of a running execution with that execution, and an ended one with ExecutionAlreadyExists (harmless to the adapter)', async () => {
    started.length = 0;
    await starter.startCase('01CASEBBBBBBBBBBBBBBBBBBBB');
    const again = await client.send(
      new StartExecutionCommand({
        stateMachineArn: LOCAL_STATE_MACHINE_ARN,
        name: '01CASEBBBBBBBBBBBBBBBBBBBB',
        input: JSON.stringify({ caseId: '01CASEBBBBBBBBBBBBBBBBBBBB' }),
      }),
    );
    expect(again.executionArn).toMatch(/:execution:caseflow-local-lifecycle:01CASEBBBBBBBBBBBBBBBBBBBB$/);
    statuses.set('01CASEBBBBBBBBBBBBBBBBBBBB', 'SUCCEEDED');
    await expect(
      client.send(
        new StartExecutionCommand({
          stateMachineArn: LOCAL_STATE_MACHINE_ARN,
          name: '01CASEBBBBBBBBBBBBBBBBBBBB',
          input: JSON.stringify({ caseId: '01CASEBBBBBBBBBBBBBBBBBBBB' }),
        }),
      ),
    ).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
    await expect(starter.startCase('01CASEBBBBBBBBBBBBBBBBBBBB')).resolves.toBeUndefined();
  });

  it("refuses another state machine, a name that is not the case's, and an input without a case, by the service's error names", async () => {
    const send = (input: { stateMachineArn?: string; name?: string; input?: string }) =>
      client.send(new StartExecutionCommand({ stateMachineArn: LOCAL_STATE_MACHINE_ARN, ...input }));
    await expect(
      send({ stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:other', name: 'X', input: '{"caseId":"X"}' }),
    ).rejects.toMatchObject({
      name: 'StateMachineDoesNotExist',
    });
    await expect(send({ name: 'someone-else', input: '{"caseId":"X"}' })).rejects.toMatchObject({ name: 'InvalidName' });
    await expect(send({ name: 'X', input: '{"case":"X"}' })).rejects.toMatchObject({ name: 'InvalidExecutionInput' });
    await expect(send({ name: 'X', input: 'not json' })).rejects.toMatchObject({ name: 'InvalidExecutionInput' });
    await expect(send({ name: 'X-g0', input: '{"caseId":"X","generation":0}' })).rejects.toMatchObject({ name: 'InvalidExecutionInput' });
    expect(started.map((s) => s.caseId)).not.toContain('X');
  });
});
