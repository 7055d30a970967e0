import { describe, expect, it } from 'vitest';
import { type MeasuredUse, VARIABLE_PRICES_US_EAST_1, formatCaseCosts, priceCases } from '../../lib/case-costs.js';

const use = (over: Partial<MeasuredUse> = {}): MeasuredUse => ({
  cases: 100,
  dynamodb: { readUnits: 0, writeUnits: 0, byIndex: {} },
  stateTransitions: 0,
  functions: {},
  httpRequests: 0,
  sesOutbound: 0,
  sesInbound: 0,
  s3: { puts: 0, gets: 0, bytesStored: 0 },
  logBytes: 0,
  ...over,
});

describe('pricing a measured day of cases', () => {
  it('prices each counted operation from the dated table, per 1,000 cases', () => {
    const report = priceCases(
      use({
        dynamodb: { readUnits: 10_000, writeUnits: 20_000, byIndex: {} },
        stateTransitions: 1_000,
        functions: { api: { invocations: 1_000, billedMs: 100_000, memoryMb: 1024, traced: true } },
        sesOutbound: 200,
      }),
      0,
    );
    const per = (service: string, item: RegExp) => report.items.find((i) => i.service === service && item.test(i.item))!.per1000Cases;
    // 20,000 WRU for 100 cases ▶ 200,000 WRU per 1,000 cases at $0.625 a million.
    expect(per('DynamoDB', /write/)).toBeCloseTo(0.125, 10);
    expect(per('DynamoDB', /read/)).toBeCloseTo(0.0125, 10);
    // 1,000 transitions ▶ 10,000 per 1,000 cases at $0.025 a thousand.
    expect(per('Step Functions', /transitions/)).toBeCloseTo(0.25, 10);
    // 100 s at 1 GB ▶ 100 GB-s ▶ 1,000 GB-s per 1,000 cases.
    expect(per('Lambda', /duration/)).toBeCloseTo(1000 * VARIABLE_PRICES_US_EAST_1.lambda.arm64PerGbSecond, 10);
    expect(per('X-Ray', /traces/)).toBeCloseTo(0.05, 10);
    expect(per('SES', /sent/)).toBeCloseTo(0.2, 10);
    expect(report.variablePer1000).toBeCloseTo(
      report.items.reduce((n, i) => n + i.per1000Cases, 0),
      10,
    );
    // Largest first: the dominant items lead.
    expect(report.items[0]!.service).toBe('Step Functions');
  });

  it('spreads the fixed monthly cost over each volume', () => {
    const report = priceCases(use({ stateTransitions: 400 }), 5, [5_000, 50_000]);
    expect(report.variablePer1000).toBeCloseTo(0.1, 10);
    expect(report.atVolume).toEqual([
      expect.objectContaining({ casesPerMonth: 5_000, fixedPer1000: 1, totalPer1000: expect.closeTo(1.1, 10), totalMonthly: expect.closeTo(5.5, 10) }),
      expect.objectContaining({ casesPerMonth: 50_000, fixedPer1000: 0.1, totalPer1000: expect.closeTo(0.2, 10), totalMonthly: expect.closeTo(10, 10) }),
    ]);
    expect(formatCaseCosts(report)).toContain('| 50,000 | $5.00 | $0.10 | $0.20 | $10.00 |');
  });

  it('leaves out what was not used, and refuses a day without cases', () => {
    expect(priceCases(use(), 0).items).toEqual([]);
    expect(() => priceCases(use({ cases: 0 }), 0)).toThrow(/at least one case/);
  });
});
