import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CASE_LIFECYCLE_ASL_PATH } from '../../lib/paths.js';
import { LIFECYCLE_TASK_HANDLERS } from '../../lib/workflow.js';
import { logicalId, synthCaseflow, type Resources } from '../support/synth.js';

interface AslState {
  Type: string;
  Resource?: string;
  TimeoutSeconds?: number;
  Parameters?: Record<string, unknown>;
  Arguments?: Record<string, unknown>;
  Branches?: { States: Record<string, AslState> }[];
  Iterator?: { States: Record<string, AslState> };
  ItemProcessor?: { States: Record<string, AslState> };
}
interface Asl {
  StartAt: string;
  States: Record<string, AslState>;
}

/** Every state, including those nested in Parallel branches and Map processors, by name. */
function allStates(states: Record<string, AslState>): [string, AslState][] {
  return Object.entries(states).flatMap(([name, state]) => [
    [name, state] as [string, AslState],
    ...(state.Branches ?? []).flatMap((branch) => allStates(branch.States)),
    ...(state.Iterator ? allStates(state.Iterator.States) : []),
    ...(state.ItemProcessor ? allStates(state.ItemProcessor.States) : []),
  ]);
}

/** What a Task calls: its Resource, or FunctionName when it uses the lambda:invoke integration. */
function taskTarget(task: AslState): unknown {
  const viaInvoke = /^arn:aws:states:::lambda:invoke(\.waitForTaskToken)?$/.test(task.Resource ?? '');
  return viaInvoke ? (task.Parameters ?? task.Arguments)?.FunctionName : task.Resource;
}

const aslText = readFileSync(CASE_LIFECYCLE_ASL_PATH, 'utf8');
const asl = JSON.parse(aslText) as Asl;
const placeholdersInAsl = new Set([...aslText.matchAll(/\$\{([^}]+)\}/g)].map((m) => m[1]!));

let synth: ReturnType<typeof synthCaseflow>;
let stateMachine: Resources[string];

beforeAll(() => {
  synth = synthCaseflow();
  const resources = synth.template.toJSON().Resources as Resources;
  stateMachine = resources[logicalId(synth.stack.workflow.stateMachine, synth.stack)]!;
});

describe('the case lifecycle state machine', () => {
  it('has a substitution for every ${placeholder} in the ASL file, and none the file does not use', () => {
    expect(placeholdersInAsl.size).toBeGreaterThan(0);
    expect([...placeholdersInAsl].sort()).toEqual(Object.keys(LIFECYCLE_TASK_HANDLERS).sort());
  });

  it('substitutes each placeholder with the ARN of its task function', () => {
    const expected = Object.fromEntries(
      Object.entries(LIFECYCLE_TASK_HANDLERS).map(([placeholder, handler]) => [
        placeholder,
        { 'Fn::GetAtt': [logicalId(synth.stack.workflow.taskFunctions[handler], synth.stack), 'Arn'] },
      ]),
    );
    expect(stateMachine.Properties.DefinitionSubstitutions).toEqual(expected);
  });

  it("deploys the ASL file itself: the uploaded definition has exactly the file's states", () => {
    // DefinitionBody.fromFile uploads the file as an asset (DefinitionS3Location) instead of inlining a
    // DefinitionString, so the check reads the staged asset from the cloud assembly.
    const location = stateMachine.Properties.DefinitionS3Location;
    expect(stateMachine.Properties.DefinitionString).toBeUndefined();
    expect(location.Key).toMatch(/^[0-9a-f]{64}\.json$/);
    const stagedPath = join(synth.app.synth().directory, `asset.${location.Key}`);
    expect(existsSync(stagedPath)).toBe(true);
    const deployed = JSON.parse(readFileSync(stagedPath, 'utf8')) as Asl;

    expect(deployed.StartAt).toBe(asl.StartAt);
    expect(
      allStates(deployed.States)
        .map(([name]) => name)
        .sort(),
    ).toEqual(
      allStates(asl.States)
        .map(([name]) => name)
        .sort(),
    );
    expect(deployed).toEqual(asl);
  });

  it('only calls the task functions, which is all its role may invoke', () => {
    const placeholders = new Set(Object.keys(LIFECYCLE_TASK_HANDLERS).map((p) => `\${${p}}`));
    const tasks = allStates(asl.States).filter(([, state]) => state.Type === 'Task');
    expect(tasks.length).toBeGreaterThan(0);
    for (const [name, task] of tasks) {
      const target = taskTarget(task);
      // A task that calls any other service needs a new permission on the state machine role (lib/workflow.ts).
      expect(placeholders, `task "${name}" calls ${task.Resource}; grant it in lib/workflow.ts and extend this test`).toContain(target);
    }

    const roleId = stateMachine.Properties.RoleArn['Fn::GetAtt'][0];
    const policies = Object.values(synth.template.toJSON().Resources as Resources).filter(
      (r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((role: { Ref: string }) => role.Ref === roleId),
    );
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
    const invoke = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('lambda:')));
    expect(invoke).toHaveLength(1);
    expect(invoke[0].Action).toBe('lambda:InvokeFunction');
    expect(invoke[0].Resource.map((r: { 'Fn::GetAtt': [string, string] }) => r['Fn::GetAtt'][0]).sort()).toEqual(
      Object.values(synth.stack.workflow.taskFunctions)
        .map((fn) => logicalId(fn, synth.stack))
        .sort(),
    );
  });

  it('gives every task more time than its function, so a slow function times out itself (Sandbox.Timedout)', () => {
    const resources = synth.template.toJSON().Resources as Resources;
    for (const [name, task] of allStates(asl.States).filter(([, state]) => state.Type === 'Task')) {
      const placeholder = /^\$\{(\w+)\}$/.exec(String(taskTarget(task)))?.[1] as keyof typeof LIFECYCLE_TASK_HANDLERS;
      const fn = synth.stack.workflow.taskFunctions[LIFECYCLE_TASK_HANDLERS[placeholder]];
      const functionTimeout = resources[logicalId(fn, synth.stack)]!.Properties.Timeout as number;
      expect(task.TimeoutSeconds, `task "${name}" needs TimeoutSeconds`).toBeDefined();
      expect(task.TimeoutSeconds!, `task "${name}"`).toBeGreaterThan(functionTimeout);
    }
  });

  it('is a Standard workflow with X-Ray and ALL-level logs that leave execution data out', () => {
    expect(stateMachine.Properties.StateMachineType).toBe('STANDARD');
    expect(stateMachine.Properties.TracingConfiguration).toEqual({ Enabled: true });
    const logging = stateMachine.Properties.LoggingConfiguration;
    expect(logging.Level).toBe('ALL');
    expect(logging.IncludeExecutionData).toBe(false);

    const logGroupId = logging.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'][0];
    const logGroup = (synth.template.toJSON().Resources as Resources)[logGroupId]!;
    expect(logGroup.Properties.LogGroupName).toBe('/aws/vendedlogs/states/Caseflow-test/case-lifecycle');
    expect(logGroup.Properties.RetentionInDays).toBe(90);
  });
});
