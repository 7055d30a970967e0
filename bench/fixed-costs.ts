/**
 * `npm run bench -- fixed-costs`: what a deployment costs a month before its first case, for the
 * stack as `npm run synth` builds it (without bundling) in four shapes: default, with email intake,
 * with the dashboard, with both. Prints the table docs/deploying.md#what-it-costs-when-idle shows
 * (lib/fixed-costs.ts, dated us-east-1 list prices) and the totals as figures.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CaseflowStack } from '../lib/caseflow-stack.js';
import { readCaseflowConfig } from '../lib/config.js';
import { type FixedCostReport, fixedMonthlyCosts, formatFixedCosts } from '../lib/fixed-costs.js';
import { REPO_ROOT } from '../lib/paths.js';

/** The shapes the docs price: context as `-c` would give it. */
export const FIXED_COST_SHAPES: Readonly<Record<string, Record<string, string>>> = {
  default: {},
  email: { sesDomain: 'support.example.com' },
  dashboard: { dashboard: 'true' },
  'email-dashboard': { sesDomain: 'support.example.com', dashboard: 'true' },
};

/** The synthesized template of the caseflow stack for this context (bundling skipped: it changes no fixed item). */
export function synthesizedTemplate(context: Record<string, string>): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [], ...context } });
  const stack = new CaseflowStack(app, 'Caseflow-bench', { config: readCaseflowConfig(app.node) });
  return Template.fromStack(stack).toJSON();
}

export function fixedCostsOfShape(shape: string): FixedCostReport {
  const context = FIXED_COST_SHAPES[shape];
  if (!context) throw new Error(`no shape ${shape}`);
  return fixedMonthlyCosts(synthesizedTemplate(context));
}

export async function runFixedCostsBench(log: (line: string) => void): Promise<Record<string, number>> {
  const figures: Record<string, number> = {};
  for (const shape of Object.keys(FIXED_COST_SHAPES)) {
    log(`synthesizing the ${shape} stack...`);
    const report = fixedCostsOfShape(shape);
    log(`${shape} (prices as of ${report.pricesAsOf}):\n${formatFixedCosts(report)}`);
    figures[`fixed-costs ${shape} CloudWatch $/month`] = report.cloudwatch;
    figures[`fixed-costs ${shape} total $/month`] = report.total;
  }
  return figures;
}
