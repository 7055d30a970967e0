import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CaseflowStack } from '../../lib/caseflow-stack.js';
import { readCaseflowConfig } from '../../lib/config.js';
import { REPO_ROOT } from '../../lib/paths.js';

/** The feature flags in cdk.json, so tests synthesize what `cdk synth` synthesizes. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
}

export interface SynthOptions {
  /** Extra CDK context, as `-c key=value` would give it. */
  readonly context?: Record<string, unknown>;
  /** Run esbuild for real (slower); by default bundling is skipped. */
  readonly bundle?: boolean;
  /** Register cdk-nag as bin/caseflow.ts does: synth then throws on any unacknowledged finding. */
  readonly nag?: boolean;
}

/** One app with the caseflow stack, built the way bin/caseflow.ts builds it. */
export function synthCaseflow(options: SynthOptions = {}) {
  const app = new App({
    context: {
      ...cdkJsonContext(),
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...options.context,
    },
  });
  const config = readCaseflowConfig(app.node);
  const stack = new CaseflowStack(app, 'Caseflow-test', { config });
  if (options.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const template = Template.fromStack(stack);
  return { app, stack, template, config };
}

export type Resources = Record<string, { Type: string; Properties?: any; [key: string]: any }>;

/** Logical id of an L2 construct's CloudFormation resource. */
export function logicalId(construct: { node: { defaultChild?: unknown } }, stack: CaseflowStack): string {
  const child = construct.node.defaultChild;
  if (!child) throw new Error('construct has no default child');
  return stack.getLogicalId(child as never);
}

/**
 * CDK's own deploy-time handlers (the BucketDeployment singleton that copies the console's build),
 * not caseflow functions: no caseflow environment, metrics or alarms of their own.
 */
export const isCdkDeployHandler = (logicalId: string): boolean => logicalId.startsWith('CustomCDKBucketDeployment');
/** The resources of one type, with their logical ids. */
export function resourcesOfType(resources: Resources, type: string): [string, Resources[string]][] {
  return Object.entries(resources).filter(([, r]) => r.Type === type);
}

/** Every IAM statement of the policies attached to a role, by the role's logical id. */
export function statementsOfRole(resources: Resources, roleId: string): any[] {
  return resourcesOfType(resources, 'AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((role: { Ref: string }) => role.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}

/** Every IAM statement of a function's role, by the function's logical id. */
export function statementsOfFunction(resources: Resources, functionId: string): any[] {
  return statementsOfRole(resources, resources[functionId]!.Properties.Role['Fn::GetAtt'][0]);
}

/** A CloudFormation value that may be one item or a list, as a list. */
export const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
