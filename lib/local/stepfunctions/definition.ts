/**
 * The case-lifecycle definition as the local stack runs it: the real statemachines/case-lifecycle.asl.json
 * (the file CDK deploys), its `${...}` placeholders replaced as CloudFormation's DefinitionSubstitutions
 * would, and the names (ARNs) the local Step Functions gives the state machine and its executions.
 */
import { readFileSync } from 'node:fs';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { CASE_LIFECYCLE_ASL_PATH } from '../../paths.js';

export type { StateMachineDefinition } from 'aws-local-stepfunctions';
export type AnyState = StateMachineDefinition['States'][string];

const LOCAL_REGION = 'us-east-1';
const LOCAL_ACCOUNT = '000000000000';
const LOCAL_STATE_MACHINE_NAME = 'caseflow-local-lifecycle';

/** The local state machine, as executions' context names it and the local Step Functions endpoint accepts it. */
export const LOCAL_STATE_MACHINE_ARN = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${LOCAL_STATE_MACHINE_NAME}`;

/** The ARN of an execution of the local state machine, by its name. */
export function executionArn(name: string): string {
  return `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:execution:${LOCAL_STATE_MACHINE_NAME}:${name}`;
}

/** What an execution's context says about it and its state machine (`$$.Execution`, `$$.StateMachine`). */
export function executionContext(name: string) {
  return {
    Execution: { Id: executionArn(name), Name: name },
    StateMachine: { Id: LOCAL_STATE_MACHINE_ARN, Name: LOCAL_STATE_MACHINE_NAME },
  };
}

/** The fake Lambda ARN a placeholder becomes locally (valid ARN syntax, which the validator checks). */
export function localFunctionArn(placeholder: string): string {
  return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:caseflow-local-${placeholder}`;
}

/**
 * Reads the case-lifecycle ASL and replaces each `${Name}` as CloudFormation's
 * DefinitionSubstitutions does: with `substitutions[Name]`, or else the local fake ARN.
 */
export function loadCaseLifecycleDefinition(
  substitutions: Readonly<Record<string, string>> = {},
  path: string = CASE_LIFECYCLE_ASL_PATH,
): StateMachineDefinition {
  const text = readFileSync(path, 'utf8').replace(/\$\{([A-Za-z0-9_]+)\}/g, (_, name: string) =>
    // Substituted inside JSON strings: escape like a JSON string body.
    JSON.stringify(substitutions[name] ?? localFunctionArn(name)).slice(1, -1),
  );
  return JSON.parse(text) as StateMachineDefinition;
}

/** Every state of a definition, including those inside Parallel branches and Map iterators. */
export function allStates(definition: Pick<StateMachineDefinition, 'States'>): [string, AnyState][] {
  return Object.entries(definition.States).flatMap(([name, state]) => {
    const nested: Pick<StateMachineDefinition, 'States'>[] = [];
    if (state.Type === 'Parallel') nested.push(...state.Branches);
    if (state.Type === 'Map') {
      if (state.ItemProcessor) nested.push(state.ItemProcessor);
      if (state.Iterator) nested.push(state.Iterator);
    }
    return [[name, state] as [string, AnyState], ...nested.flatMap(allStates)];
  });
}

/** `$.a.b` ▶ ['a', 'b']; undefined for anything fancier. */
export function simplePath(path: string | undefined): string[] | undefined {
  if (!path || !/^\$(\.[A-Za-z0-9_]+)+$/.test(path)) return undefined;
  return path.slice(2).split('.');
}

/** The value at a simple path (simplePath's parts) of a JSON document, or undefined. */
export function readPath(doc: unknown, path: readonly string[]): unknown {
  let value: unknown = doc;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}
