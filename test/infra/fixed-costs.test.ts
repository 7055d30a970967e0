/**
 * The fixed monthly cost of the stack as synthesized (lib/fixed-costs.ts), against the target (at
 * most $5 a month without the dashboard) and against what docs/deploying.md#what-it-costs-when-idle
 * says: a change that adds an alarm, a series, a key or a secret changes the figures, and this test
 * says where to put the new ones (`npm run bench -- fixed-costs` prints them).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixedCostsOfShape } from '../../bench/fixed-costs.js';
import { type FixedCostReport, formatFixedCosts } from '../../lib/fixed-costs.js';
import { REPO_ROOT } from '../../lib/paths.js';

const reports: Record<string, FixedCostReport> = {};
let deploying: string;

beforeAll(() => {
  for (const shape of ['default', 'email', 'dashboard', 'email-dashboard']) reports[shape] = fixedCostsOfShape(shape);
  deploying = readFileSync(join(REPO_ROOT, 'docs', 'deploying.md'), 'utf8');
}, 120_000);

describe('the fixed monthly cost', () => {
  it('stays within $5 a month without the dashboard, CloudWatch and all, with or without email intake', () => {
    for (const shape of ['default', 'email']) {
      expect(reports[shape]!.cloudwatch, shape).toBeLessThanOrEqual(5);
      expect(reports[shape]!.total, shape).toBeLessThanOrEqual(5);
    }
    // No X-Ray on the sweep: its every-minute traces would be a fixed cost.
    expect(reports.default!.items.map((i) => i.service)).not.toContain('X-Ray');
  });

  it('is what docs/deploying.md shows (run npm run bench -- fixed-costs to print the figures)', () => {
    const start = deploying.indexOf('<!-- fixed-costs:default -->\n');
    const end = deploying.indexOf('\n<!-- /fixed-costs:default -->');
    expect(start).toBeGreaterThan(-1);
    // Compared cell by cell: Biome aligns the table's columns in the page.
    const cells = (table: string) =>
      table
        .trim()
        .split('\n')
        .map((row) =>
          row
            .split('|')
            .map((cell) => cell.trim().replace(/^-+(:?)$/, '-$1'))
            .join('|'),
        );
    expect(cells(deploying.slice(start + '<!-- fixed-costs:default -->\n'.length, end))).toEqual(cells(formatFixedCosts(reports.default!)));
    const money = (n: number) => `$${n.toFixed(2)}`;
    const section = deploying.slice(deploying.indexOf('## What it costs when idle'));
    for (const shape of ['email', 'dashboard', 'email-dashboard']) {
      expect(section, `${shape} CloudWatch`).toContain(money(reports[shape]!.cloudwatch));
      expect(section, `${shape} total`).toContain(money(reports[shape]!.total));
    }
  });
});
