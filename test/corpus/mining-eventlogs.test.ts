import { SaxesParser } from 'saxes';
import { beforeAll, describe, expect, it } from 'vitest';
import { readEventLogFile, type ReadResult } from '../../functions/adapters/event-log-files.js';
import { analyseTraces, type LogAnalysis } from '../../functions/core/mining/analysis.js';
import { detectColumns, eventsFromTable, makeTimestampParser } from '../../functions/core/mining/columns.js';
import { groupTraces, type Trace } from '../../functions/core/mining/event-log.js';
import { filterTraces } from '../../functions/core/mining/filter.js';
import { renderProcessMap } from '../../bin/mine/process-map.js';
import { corpusPath } from '../support/corpus.js';

/**
 * The published figures of two real logs (MANIFEST.md §3 and §5 of the corpus folder), found through
 * CASEFLOW_DATA_DIR. Each log is parsed once.
 */
const dataFile = (path: string) => corpusPath('eventlogs', path);
const HELPDESK = dataFile('helpdesk/helpdesk_finale.csv');
const BPIC_XES = dataFile('bpic2013_incidents/bpi_challenge_2013_incidents.xes.gz');
const BPIC_CSV = dataFile('bpic2013_incidents/bpic2013_incidents_flat_DERIVED.csv.gz');
const DAY = 86_400_000;

function tracesOf(table: ReadResult, activity?: string): Trace[] {
  const { mapping } = detectColumns(table, activity ? { activity } : {});
  const { events, skipped } = eventsFromTable(table, mapping, makeTimestampParser());
  expect(skipped).toEqual({ missingCase: 0, missingActivity: 0, badTimestamp: 0 });
  return groupTraces(events);
}

describe('helpdesk log (MANIFEST §5)', () => {
  let full: LogAnalysis;
  let completed: LogAnalysis;
  let completedTraces: Trace[];

  beforeAll(async () => {
    const traces = tracesOf(await readEventLogFile(HELPDESK));
    full = analyseTraces(traces);
    // The published analysis keeps completed tickets: started by "Assign seriousness" or "Insert ticket", ended by "Closed".
    completedTraces = filterTraces(traces, { startActivities: ['Assign seriousness', 'Insert ticket'], endActivities: ['Closed'] });
    completed = analyseTraces(completedTraces);
  }, 60_000);

  it('has 21,348 events, 4,580 cases and 14 activities', () => {
    expect(full.events).toBe(21_348);
    expect(full.cases).toBe(4_580);
    expect(full.activityCount).toBe(14);
    expect(full.activities.slice(0, 4)).toEqual([
      { activity: 'Take in charge ticket', count: 5060, cases: expect.any(Number) },
      { activity: 'Resolve ticket', count: 4983, cases: expect.any(Number) },
      { activity: 'Assign seriousness', count: 4938, cases: expect.any(Number) },
      { activity: 'Closed', count: 4574, cases: expect.any(Number) },
    ]);
    expect(full.variantCount).toBe(226);
    expect(full.dfg.edges).toHaveLength(55);
    expect(full.handovers.resources).toMatchObject({ total: 8_648, pairCount: 244 });
    expect(full.dfg.startActivities).toContainEqual({ activity: 'Take in charge ticket', count: 74 });
  });

  it('keeps 4,479 completed cases with 193 variants (111 once, 22 twice, 11 thrice)', () => {
    expect(completed.cases).toBe(4_479);
    expect(completed.events).toBe(20_937);
    expect(completed.variantCount).toBe(193);
    const occurring = (n: number) => completed.variants.filter((v) => v.count === n).length;
    expect([occurring(1), occurring(2), occurring(3)]).toEqual([111, 22, 11]);
  });

  it('reproduces the top variants 2,366 / 552 / 228 and the top five = 3,523 cases (78.65 %)', () => {
    expect(completed.variants.slice(0, 5).map((v) => v.count)).toEqual([2366, 552, 228, 213, 164]);
    expect(completed.variants[0]!.activities).toEqual(['Assign seriousness', 'Take in charge ticket', 'Resolve ticket', 'Closed']);
    const top5 = completed.variants.slice(0, 5).reduce((n, v) => n + v.count, 0);
    expect(top5).toBe(3523);
    // 78.656 %: the published analysis truncates to two decimals.
    expect(Math.floor((10_000 * top5) / completed.cases) / 100).toBe(78.65);
  });

  it('has 52 directly-follows connections, Resolve ticket → Closed 4,479 times, the published self-loops', () => {
    expect(completed.dfg.edges).toHaveLength(52);
    expect(completed.dfg.edges[0]).toMatchObject({ from: 'Resolve ticket', to: 'Closed', count: 4479 });
    // About 30 days between resolving and closing: the slowest step of the process.
    expect(completed.dfg.edges[0]!.medianMs / DAY).toBeGreaterThan(29.5);
    expect(completed.dfg.edges[0]!.medianMs / DAY).toBeLessThan(30.5);
    const selfLoop = (a: string) => completed.dfg.edges.find((e) => e.from === a && e.to === a)?.count;
    expect(['Assign seriousness', 'Resolve ticket', 'Wait', 'Take in charge ticket', 'Closed'].map(selfLoop)).toEqual([438, 246, 101, 96, 14]);
    expect(completed.rework.activities.find((r) => r.activity === 'Assign seriousness')?.selfLoops).toBe(438);
  });

  it('closes every ticket in 30 to 60 days, median about 39.8', () => {
    const d = completed.caseDurationMs;
    expect(d.median / DAY).toBeCloseTo(39.827, 3);
    expect(d.min / DAY).toBeGreaterThan(30);
    expect(d.max / DAY).toBeLessThan(60);
    expect(full.caseDurationMs.median / DAY).toBeCloseTo(39.859, 3);
  });

  it('draws all 52 connections readably: every activity once, no two boxes overlapping', async () => {
    const svg = await renderProcessMap(completed, { title: 'helpdesk' });
    const texts: string[] = [];
    const parser = new SaxesParser({ xmlns: false });
    let inText = false;
    parser.on('opentag', (n) => {
      inText = n.name === 'text';
      if (inText) texts.push('');
    });
    parser.on('text', (t) => {
      if (inText) texts[texts.length - 1] += t;
    });
    parser.on('closetag', () => {
      inText = false;
    });
    parser.on('error', (e) => {
      throw e;
    });
    parser.write(svg).close();
    for (const a of completed.activities) expect(texts.filter((t) => t === a.activity)).toHaveLength(1);

    const boxes = [...svg.matchAll(/<rect x="([\d.-]+)" y="([\d.-]+)" width="(\d+)" height="(\d+)" rx="7"/g)].map(
      (m) => m.slice(1).map(Number) as [number, number, number, number],
    );
    expect(boxes).toHaveLength(14);
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [ax, ay, aw, ah] = boxes[i]!;
        const [bx, by, bw, bh] = boxes[j]!;
        const overlap = ax < bx + bw && bx < ax + aw && ay < by + bh && by < ay + ah;
        expect(overlap).toBe(false);
      }
    }
  });
});

describe('BPI Challenge 2013 incidents (MANIFEST §3b, §5)', () => {
  let xesTable: ReadResult;
  let fine: LogAnalysis;

  beforeAll(async () => {
    xesTable = await readEventLogFile(BPIC_XES);
    fine = analyseTraces(tracesOf(xesTable));
  }, 120_000);

  it('reads the gzipped XES with its declared activity classifier', () => {
    expect(xesTable.format).toBe('xes');
    expect(xesTable.compressed).toBe(true);
    expect(xesTable.declaredActivityClassifier).toEqual({ name: 'Activity classifier', keys: ['concept:name', 'lifecycle:transition'] });
  });

  it('has 65,533 events, 7,554 cases, 13 activities, 2,278 variants and 81 edges', () => {
    expect(fine.events).toBe(65_533);
    expect(fine.cases).toBe(7_554);
    expect(fine.activityCount).toBe(13);
    expect(fine.variantCount).toBe(2_278);
    expect(fine.dfg.edges).toHaveLength(81);
    expect(fine.activities[0]).toMatchObject({ activity: 'Accepted+In Progress', count: 30_239 });
    expect(fine.eventsPerCase).toMatchObject({ min: 1, median: 6, max: 123 });
  });

  it('spans 783 days with a mean throughput of 12.1 days', () => {
    expect(Math.round((fine.timeframe!.lastMs - fine.timeframe!.firstMs) / DAY)).toBe(783);
    expect(fine.caseDurationMs.mean / DAY).toBeCloseTo(12.079, 3);
    expect(fine.caseDurationMs.median / DAY).toBeCloseTo(7.549, 3);
  });

  it('counts handovers between resources and the ping-pong between support teams', () => {
    expect(fine.handovers.resources).toMatchObject({ total: 20_649, pairCount: 9_776 });
    expect(fine.handovers.groups).toMatchObject({ total: 9_454, pairCount: 2_463, casesWithPingPong: 1_258 });
    expect(fine.handovers.groups!.pairs[0]).toEqual({ from: 'G96', to: 'G97', count: 255 });
  });

  it('has 4 activities and 1,511 variants at status level', () => {
    const coarse = analyseTraces(tracesOf(xesTable, 'concept:name'));
    expect(coarse.activityCount).toBe(4);
    expect(coarse.variantCount).toBe(1_511);
  });

  it('gives the same figures from the flattened, gzipped CSV', async () => {
    const csv = await readEventLogFile(BPIC_CSV);
    expect(csv.format).toBe('csv');
    const fromCsv = analyseTraces(tracesOf(csv));
    expect([fromCsv.events, fromCsv.cases, fromCsv.activityCount, fromCsv.variantCount, fromCsv.dfg.edges.length]).toEqual([65_533, 7_554, 13, 2_278, 81]);
  }, 60_000);
});
