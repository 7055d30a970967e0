import { describe, expect, it } from 'vitest';
import { analyseTraces } from '../../functions/core/mining/analysis.js';
import { groupTraces, type MiningEvent } from '../../functions/core/mining/event-log.js';
import { filterTraces, FilterSyntaxError, parseFilterExpressions } from '../../functions/core/mining/filter.js';
import { formatCount, formatDuration } from '../../bin/mine/format.js';
import { analysisJson, analysisText } from '../../bin/mine/report.js';
import { describe as describeValues, median, quantileSorted } from '../../functions/core/mining/stats.js';

/**
 * A hand-computed log. Times are seconds after T0.
 *   A: register 0 alice/front ▶ check 60 bob/back ▶ check 180 bob/back ▶ decide 600 alice/front
 *   B: register 0 alice/front ▶ check 120 carol/back ▶ decide 240 carol/back ▶ check 300 bob/back ▶ decide 900 alice/front
 *   C: register 0 alice/front ▶ decide 0 alice/front   (same instant: input order decides)
 * The input below is deliberately out of time order within A and B.
 */
const T0 = Date.UTC(2026, 0, 1);
const ev = (caseId: string, activity: string, seconds: number, resource: string, group: string): MiningEvent => ({
  caseId,
  activity,
  timestamp: T0 + seconds * 1000,
  resource,
  group,
  attributes: {},
});
const INPUT: MiningEvent[] = [
  ev('A', 'register', 0, 'alice', 'front'),
  ev('A', 'decide', 600, 'alice', 'front'),
  ev('B', 'register', 0, 'alice', 'front'),
  ev('A', 'check', 60, 'bob', 'back'),
  ev('C', 'register', 0, 'alice', 'front'),
  ev('B', 'decide', 900, 'alice', 'front'),
  ev('A', 'check', 180, 'bob', 'back'),
  ev('B', 'check', 120, 'carol', 'back'),
  ev('C', 'decide', 0, 'alice', 'front'),
  ev('B', 'decide', 240, 'carol', 'back'),
  ev('B', 'check', 300, 'bob', 'back'),
];

const traces = groupTraces(INPUT);
const a = analyseTraces(traces);

describe('grouping into traces', () => {
  it('orders each case by time, keeps input order on equal timestamps, and cases in order of first appearance', () => {
    expect(traces.map((t) => t.caseId)).toEqual(['A', 'B', 'C']);
    expect(traces[0]!.events.map((e) => e.activity)).toEqual(['register', 'check', 'check', 'decide']);
    expect(traces[1]!.events.map((e) => e.activity)).toEqual(['register', 'check', 'decide', 'check', 'decide']);
    expect(traces[2]!.events.map((e) => e.activity)).toEqual(['register', 'decide']);
  });
});

describe('log analysis on a hand-computed fixture', () => {
  it('counts cases, events and activities', () => {
    expect(a.cases).toBe(3);
    expect(a.events).toBe(11);
    expect(a.activities).toEqual([
      { activity: 'check', count: 4, cases: 2 },
      { activity: 'decide', count: 4, cases: 3 },
      { activity: 'register', count: 3, cases: 3 },
    ]);
    expect(a.timeframe).toEqual({ firstMs: T0, lastMs: T0 + 900_000 });
  });

  it('finds the variants with counts and shares', () => {
    expect(a.variantCount).toBe(3);
    expect(a.variants.map((v) => [v.activities.join(','), v.count, v.exampleCaseId])).toEqual([
      ['register,check,check,decide', 1, 'A'],
      ['register,check,decide,check,decide', 1, 'B'],
      ['register,decide', 1, 'C'],
    ]);
    expect(a.variants[0]!.share).toBeCloseTo(1 / 3, 10);
  });

  it('builds the directly-follows graph with frequencies and median times', () => {
    expect(a.dfg.edges).toEqual([
      { from: 'check', to: 'decide', count: 3, medianMs: 420_000 },
      { from: 'register', to: 'check', count: 2, medianMs: 90_000 },
      { from: 'check', to: 'check', count: 1, medianMs: 120_000 },
      { from: 'decide', to: 'check', count: 1, medianMs: 60_000 },
      { from: 'register', to: 'decide', count: 1, medianMs: 0 },
    ]);
    expect(a.dfg.startActivities).toEqual([{ activity: 'register', count: 3 }]);
    expect(a.dfg.endActivities).toEqual([{ activity: 'decide', count: 3 }]);
  });

  it('counts handovers between resources and between teams, and ping-pong cases', () => {
    expect(a.handovers.resources).toEqual({
      total: 5,
      pairCount: 4,
      pairs: [
        { from: 'bob', to: 'alice', count: 2 },
        { from: 'alice', to: 'bob', count: 1 },
        { from: 'alice', to: 'carol', count: 1 },
        { from: 'carol', to: 'bob', count: 1 },
      ],
      casesWithHandover: 2,
      casesWithPingPong: 2,
    });
    expect(a.handovers.groups).toEqual({
      total: 4,
      pairCount: 2,
      pairs: [
        { from: 'back', to: 'front', count: 2 },
        { from: 'front', to: 'back', count: 2 },
      ],
      casesWithHandover: 2,
      casesWithPingPong: 2,
    });
  });

  it('finds rework: self-loops and returns', () => {
    expect(a.rework).toEqual({
      casesWithRework: 2,
      casesWithSelfLoop: 1,
      casesWithReturn: 1,
      activities: [
        { activity: 'check', selfLoops: 1, selfLoopCases: 1, returns: 1, returnCases: 1, cases: 2 },
        { activity: 'decide', selfLoops: 0, selfLoopCases: 0, returns: 1, returnCases: 1, cases: 1 },
      ],
    });
  });

  it('describes case durations and lengths exactly', () => {
    expect(a.caseDurationMs).toEqual({ count: 3, min: 0, median: 600_000, mean: 500_000, p90: 840_000, max: 900_000 });
    expect(a.eventsPerCase.median).toBe(4);
    expect(a.eventsPerCase.mean).toBeCloseTo(11 / 3, 12);
    expect(a.eventsPerCase.p90).toBeCloseTo(4.8, 12);
  });

  it('leaves handovers out when no event has a performer', () => {
    const anonymous = groupTraces(INPUT.map(({ resource: _r, group: _g, ...rest }) => rest));
    expect(analyseTraces(anonymous).handovers).toEqual({});
  });

  it('reports an empty log without inventing numbers', () => {
    const empty = analyseTraces([]);
    expect(empty.cases).toBe(0);
    expect(empty.variants).toEqual([]);
    expect(empty.caseDurationMs.count).toBe(0);
    expect(Number.isNaN(empty.caseDurationMs.median)).toBe(true);
    expect(empty.timeframe).toBeUndefined();
  });
});

describe('statistics', () => {
  it('interpolates quantiles between closest ranks (type 7)', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([10, 20, 30, 40, 50], 0.9)).toBe(46);
    expect(median([5, 1, 3])).toBe(3);
    expect(describeValues([2, 4]).mean).toBe(3);
  });
});

describe('filters', () => {
  it('keeps cases by start and end activity', () => {
    const f = parseFilterExpressions(['start=register', 'end=decide']);
    expect(filterTraces(traces, f).map((t) => t.caseId)).toEqual(['A', 'B', 'C']);
    expect(filterTraces(traces, parseFilterExpressions(['end=check']))).toEqual([]);
  });

  it('keeps or drops cases by the activities they contain', () => {
    expect(filterTraces(traces, parseFilterExpressions(['contains=check'])).map((t) => t.caseId)).toEqual(['A', 'B']);
    expect(filterTraces(traces, parseFilterExpressions(['lacks=check'])).map((t) => t.caseId)).toEqual(['C']);
  });

  it('reads alternatives separated by | and combines repeated keys', () => {
    expect(parseFilterExpressions(['start=Assign seriousness|Insert ticket', 'start=X', 'end= Closed '])).toEqual({
      startActivities: ['Assign seriousness', 'Insert ticket', 'X'],
      endActivities: ['Closed'],
    });
  });

  it('rejects expressions it cannot read', () => {
    expect(() => parseFilterExpressions(['begins=A'])).toThrow(FilterSyntaxError);
    expect(() => parseFilterExpressions(['start='])).toThrow(FilterSyntaxError);
    expect(() => parseFilterExpressions(['Closed'])).toThrow(FilterSyntaxError);
  });
});

describe('report', () => {
  it('formats counts and durations the same on every machine', () => {
    expect(formatCount(21348)).toBe('21,348');
    expect(formatCount(-1234567)).toBe('-1,234,567');
    expect([950, 42_000, 17 * 60_000, 5.25 * 3_600_000, 39.83 * 86_400_000, 771.35 * 86_400_000].map(formatDuration)).toEqual([
      '950 ms',
      '42 s',
      '17 min',
      '5.3 h',
      '39.8 d',
      '771 d',
    ]);
  });

  it('prints the analysis as tables and as JSON with the top rows only', () => {
    const text = analysisText(a, { top: 2 });
    expect(text).toContain('3 cases, 11 events, 3 activities, 3 variants');
    expect(text).toContain('register → check → check → decide');
    expect(text).not.toContain('register → decide\n');
    expect(text).toContain('Handovers between resources: 5 handovers over 4 pairs');
    expect(text).toMatch(/check\s+decide\s+3\s+7 min/);
    const json = analysisJson(a, { top: 2 });
    expect(json.variants).toHaveLength(2);
    expect(json.variantsOccurring).toEqual({ once: 3, twice: 0, thrice: 0 });
    expect(json.directlyFollows.edges).toHaveLength(5);
    expect(json.handovers.resources!.pairs).toHaveLength(2);
    expect(json.caseDuration.days.max).toBeCloseTo(900 / 86_400, 3);
  });
});
