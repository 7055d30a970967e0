import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { SaxesParser } from 'saxes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEventLogFile, type ReadResult } from '../../functions/adapters/event-log-files.js';
import { analyseTraces, type LogAnalysis } from '../../functions/core/mining/analysis.js';
import { detectColumns, eventsFromTable, makeTimestampParser } from '../../functions/core/mining/columns.js';
import { groupTraces, type Trace } from '../../functions/core/mining/event-log.js';
import { filterTraces } from '../../functions/core/mining/filter.js';
import { renderProcessMap } from '../../bin/mine/process-map.js';

/**
 * Two small logs written for these tests, with every figure computed by hand (test/corpus/mining-eventlogs.test.ts
 * checks the published figures of the real logs these imitate):
 *
 * test/fixtures/eventlogs/helpdesk-mini.csv, a help-desk log (times in hours after each case's first event;
 * Ann works in Front desk, Ben and Cid in Second line, Dot in Quality):
 *   Case 1  Triage 0 Ann ▶ Take over 2 Ben ▶ Resolve 26 Ben ▶ Close 50 Dot
 *   Case 2  Triage 0 Ann ▶ Take over 0 Cid (same instant: file order) ▶ Resolve 24 Ben ▶ Close 72 Dot
 *   Case 3  Triage 0 Ann ▶ Take over 1 Ben ▶ Resolve 5 Ben ▶ Close 29 Dot
 *   Case 4  Register 0 Ann ▶ Triage 0.5 Ann ▶ Take over 1.5 Cid ▶ Resolve 3.5 Cid ▶ Close 27.5 Dot
 *   Case 5  Triage 0 Ann ▶ Triage 1 Ann ▶ Take over 2 Ben ▶ Wait 3 Ann ▶ Take over 51 Ben ▶ Resolve 53 Ben ▶ Close 101 Dot
 *           (written out of time order in the file)
 *   Case 6  Take over 0 Cid ▶ Resolve 4 Cid ▶ Close 28 Dot
 *   Case 7  Triage 0 Ann ▶ Take over 3 Ben ▶ Resolve 6 Ben           (never closed)
 *   Case 8  Register 0 Ann ▶ Take over 1 Cid ▶ Resolve 2 Cid ▶ Resolve 4 Cid ▶ Close 52 Dot
 *
 * test/fixtures/eventlogs/incidents-mini.xes (and the same events flattened in incidents-mini-flat.csv),
 * an incident log with status + sub-status and UTC offsets (+01:00 before the spring DST change, +02:00 after):
 *   SR-1  Queued+Awaiting Assignment Eva/G1 ▶ Accepted+In Progress Finn/G2 ▶ Completed+Resolved ▶ Completed+Closed   49 h
 *   SR-2  Accepted+In Progress Gus/G3 ▶ Accepted+Wait - User ▶ Accepted+In Progress ▶ Queued+Awaiting Assignment Gus/G3
 *         ▶ Accepted+In Progress Finn/G2 ▶ Accepted+In Progress Gus/G3 ▶ Completed+Resolved Gus/G3                     76 h
 *   SR-3  like SR-1 (Eva/G1 then Hana/G2), across the DST change                                                       113.5 h
 *   SR-4  Accepted+In Progress Finn/G2                                                                                  0 h
 *   SR-5  Queued+Awaiting Assignment Eva/G1 ▶ Accepted+In Progress Hana/G2 ▶ Completed+In Call ▶ Completed+Closed       32.5 h
 */
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/eventlogs/${name}`, import.meta.url));
const HELPDESK = fixture('helpdesk-mini.csv');
const INCIDENTS_XES = fixture('incidents-mini.xes');
const INCIDENTS_CSV = fixture('incidents-mini-flat.csv');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function tracesOf(table: ReadResult, activity?: string): Trace[] {
  const { mapping } = detectColumns(table, activity ? { activity } : {});
  const { events, skipped } = eventsFromTable(table, mapping, makeTimestampParser());
  expect(skipped).toEqual({ missingCase: 0, missingActivity: 0, badTimestamp: 0 });
  return groupTraces(events);
}

describe('a small help-desk log (CSV)', () => {
  let full: LogAnalysis;
  let completed: LogAnalysis;
  let traces: Trace[];

  beforeAll(async () => {
    traces = tracesOf(await readEventLogFile(HELPDESK));
    full = analyseTraces(traces);
    // Completed tickets: started by Triage or Register, ended by Close.
    completed = analyseTraces(filterTraces(traces, { startActivities: ['Triage', 'Register'], endActivities: ['Close'] }));
  });

  it('maps the help-desk columns, and orders each case by time with file order on equal times', async () => {
    expect(detectColumns(await readEventLogFile(HELPDESK)).mapping).toEqual({
      caseId: 'Case ID',
      activity: ['Activity'],
      timestamp: 'Complete Timestamp',
      resource: 'Resource',
      group: 'workgroup',
    });
    expect(traces.map((t) => t.caseId)).toEqual(['Case 1', 'Case 2', 'Case 3', 'Case 4', 'Case 5', 'Case 6', 'Case 7', 'Case 8']);
    expect(traces[4]!.events.map((e) => e.activity)).toEqual(['Triage', 'Triage', 'Take over', 'Wait', 'Take over', 'Resolve', 'Close']);
    expect(traces[1]!.events.slice(0, 2).map((e) => e.activity)).toEqual(['Triage', 'Take over']);
  });

  it('has 35 events, 8 cases and 6 activities', () => {
    expect(full.events).toBe(35);
    expect(full.cases).toBe(8);
    expect(full.activityCount).toBe(6);
    expect(full.activities).toEqual([
      { activity: 'Resolve', count: 9, cases: 8 },
      { activity: 'Take over', count: 9, cases: 8 },
      { activity: 'Close', count: 7, cases: 7 },
      { activity: 'Triage', count: 7, cases: 6 },
      { activity: 'Register', count: 2, cases: 2 },
      { activity: 'Wait', count: 1, cases: 1 },
    ]);
    expect(full.variantCount).toBe(6);
    expect(full.dfg.edges).toHaveLength(9);
    expect(full.dfg.startActivities).toEqual([
      { activity: 'Triage', count: 5 },
      { activity: 'Register', count: 2 },
      { activity: 'Take over', count: 1 },
    ]);
    expect(full.dfg.endActivities).toEqual([
      { activity: 'Close', count: 7 },
      { activity: 'Resolve', count: 1 },
    ]);
    expect(full.eventsPerCase).toMatchObject({ min: 3, median: 4, max: 7, mean: 4.375 });
  });

  it('counts handovers between people (17) and between teams (16), and the one case that goes back', () => {
    expect(full.handovers.resources).toMatchObject({ total: 17, pairCount: 6, casesWithHandover: 8, casesWithPingPong: 1 });
    expect(full.handovers.resources!.pairs).toEqual([
      { from: 'Ann', to: 'Ben', count: 5 },
      { from: 'Ben', to: 'Dot', count: 4 },
      { from: 'Ann', to: 'Cid', count: 3 },
      { from: 'Cid', to: 'Dot', count: 3 },
      { from: 'Ben', to: 'Ann', count: 1 },
      { from: 'Cid', to: 'Ben', count: 1 },
    ]);
    expect(full.handovers.groups).toMatchObject({ total: 16, pairCount: 3, casesWithHandover: 8, casesWithPingPong: 1 });
    expect(full.handovers.groups!.pairs[0]).toEqual({ from: 'Front desk', to: 'Second line', count: 8 });
  });

  it('keeps 6 completed cases with 4 variants, the commonest three times', () => {
    expect(completed.cases).toBe(6);
    expect(completed.events).toBe(29);
    expect(completed.variantCount).toBe(4);
    expect(completed.variants.map((v) => v.count)).toEqual([3, 1, 1, 1]);
    expect(completed.variants[0]!.activities).toEqual(['Triage', 'Take over', 'Resolve', 'Close']);
    expect(completed.variants[0]!.share).toBe(0.5);
    expect(completed.variants.slice(1).map((v) => v.exampleCaseId)).toEqual(['Case 4', 'Case 5', 'Case 8']);
  });

  it('has 9 directly-follows connections, Resolve → Close 6 times after a median 36 h, and the self-loops', () => {
    expect(completed.dfg.edges).toHaveLength(9);
    expect(completed.dfg.edges.slice(0, 3)).toEqual([
      { from: 'Resolve', to: 'Close', count: 6, medianMs: 36 * HOUR },
      { from: 'Take over', to: 'Resolve', count: 6, medianMs: 3 * HOUR },
      { from: 'Triage', to: 'Take over', count: 5, medianMs: 1 * HOUR },
    ]);
    // Over the whole log Resolve → Close has seven gaps: four of 24 h and three of 48 h.
    expect(full.dfg.edges.find((e) => e.from === 'Resolve' && e.to === 'Close')).toEqual({ from: 'Resolve', to: 'Close', count: 7, medianMs: 24 * HOUR });
    expect(full.dfg.edges.find((e) => e.from === 'Take over' && e.to === 'Resolve')).toMatchObject({ count: 8, medianMs: 3.5 * HOUR });
    const selfLoop = (a: string) => completed.dfg.edges.find((e) => e.from === a && e.to === a)?.count;
    expect(['Triage', 'Resolve', 'Take over', 'Close'].map(selfLoop)).toEqual([1, 1, undefined, undefined]);
    expect(completed.rework).toMatchObject({ casesWithRework: 2, casesWithSelfLoop: 2, casesWithReturn: 1 });
    expect(completed.rework.activities.map((r) => [r.activity, r.selfLoops, r.returns])).toEqual([
      ['Resolve', 1, 0],
      ['Take over', 0, 1],
      ['Triage', 1, 0],
    ]);
  });

  it('closes the completed cases in 27.5 to 101 hours, median 51 h', () => {
    expect(completed.caseDurationMs).toMatchObject({ count: 6, min: 27.5 * HOUR, median: 51 * HOUR, max: 101 * HOUR, mean: 55.25 * HOUR });
    expect(full.caseDurationMs).toMatchObject({ min: 6 * HOUR, median: 39.5 * HOUR, max: 101 * HOUR, mean: 45.6875 * HOUR });
    expect(full.timeframe).toEqual({ firstMs: Date.UTC(2025, 0, 6, 8), lastMs: Date.UTC(2025, 0, 17, 15) });
  });

  it('draws all 9 connections readably: every activity once, no two boxes overlapping', async () => {
    const svg = await renderProcessMap(completed, { title: 'helpdesk-mini' });
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
    expect(completed.activities).toHaveLength(6);
    for (const a of completed.activities) expect(texts.filter((t) => t === a.activity)).toHaveLength(1);

    const boxes = [...svg.matchAll(/<rect x="([\d.-]+)" y="([\d.-]+)" width="(\d+)" height="(\d+)" rx="7"/g)].map(
      (m) => m.slice(1).map(Number) as [number, number, number, number],
    );
    expect(boxes).toHaveLength(6);
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [ax, ay, aw, ah] = boxes[i]!;
        const [bx, by, bw, bh] = boxes[j]!;
        const overlap = ax < bx + bw && bx < ax + aw && ay < by + bh && by < ay + ah;
        expect(overlap).toBe(false);
      }
    }
  }, 60_000);
});

describe('a small incident log (XES, status + sub-status)', () => {
  let dir: string;
  let xesTable: ReadResult;
  let fine: LogAnalysis;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'caseflow-eventlogs-'));
    xesTable = await readEventLogFile(INCIDENTS_XES);
    fine = analyseTraces(tracesOf(xesTable));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the XES with its declared activity classifier, preferred over another declared first', () => {
    expect(xesTable.format).toBe('xes');
    expect(xesTable.compressed).toBe(false);
    expect(xesTable.declaredActivityClassifier).toEqual({ name: 'Activity classifier', keys: ['concept:name', 'lifecycle:transition'] });
    expect(xesTable.columns).toEqual(expect.arrayContaining(['case:concept:name', 'case:product', 'time:timestamp', 'org:resource', 'org:group']));
  });

  it('has 20 events, 5 cases, 6 activities, 4 variants and 9 edges', () => {
    expect(fine.events).toBe(20);
    expect(fine.cases).toBe(5);
    expect(fine.activityCount).toBe(6);
    expect(fine.variantCount).toBe(4);
    expect(fine.dfg.edges).toHaveLength(9);
    expect(fine.activities[0]).toEqual({ activity: 'Accepted+In Progress', count: 8, cases: 5 });
    expect(fine.activities.map((a) => a.count)).toEqual([8, 4, 3, 3, 1, 1]);
    expect(fine.dfg.edges[0]).toMatchObject({ from: 'Queued+Awaiting Assignment', to: 'Accepted+In Progress', count: 4 });
    expect(fine.eventsPerCase).toMatchObject({ min: 1, median: 4, max: 7 });
  });

  it('reads the UTC offsets: 43 days from first to last event, median case 49 h, mean 54.2 h', () => {
    expect(fine.timeframe).toEqual({ firstMs: Date.UTC(2024, 2, 4, 8), lastMs: Date.UTC(2024, 3, 16, 15, 30) });
    expect(Math.round((fine.timeframe!.lastMs - fine.timeframe!.firstMs) / DAY)).toBe(43);
    expect(fine.caseDurationMs).toMatchObject({ min: 0, median: 49 * HOUR, max: 113.5 * HOUR });
    expect(fine.caseDurationMs.mean / HOUR).toBeCloseTo(54.2, 10);
  });

  it('counts handovers between resources and the ping-pong between support teams', () => {
    expect(fine.handovers.resources).toMatchObject({ total: 5, pairCount: 4 });
    expect(fine.handovers.resources!.pairs[0]).toEqual({ from: 'Eva', to: 'Hana', count: 2 });
    expect(fine.handovers.groups).toMatchObject({ total: 5, pairCount: 3, casesWithPingPong: 1 });
    expect(fine.handovers.groups!.pairs[0]).toEqual({ from: 'G1', to: 'G2', count: 3 });
  });

  it('has 3 activities and 3 variants at status level', () => {
    const coarse = analyseTraces(tracesOf(xesTable, 'concept:name'));
    expect(coarse.activityCount).toBe(3);
    expect(coarse.variantCount).toBe(3);
    expect(coarse.variants[0]).toMatchObject({ activities: ['Queued', 'Accepted', 'Completed', 'Completed'], count: 3 });
  });

  it('gives the same figures from the gzipped XES and from the flattened, gzipped CSV', async () => {
    const xesGz = join(dir, 'incidents-mini.xes.gz');
    writeFileSync(xesGz, gzipSync(readFileSync(INCIDENTS_XES)));
    const fromGz = await readEventLogFile(xesGz);
    expect(fromGz).toMatchObject({ format: 'xes', compressed: true });
    const csvGz = join(dir, 'incidents-mini-flat.csv.gz');
    writeFileSync(csvGz, gzipSync(readFileSync(INCIDENTS_CSV)));
    const csv = await readEventLogFile(csvGz);
    expect(csv).toMatchObject({ format: 'csv', compressed: true });
    // Gzip is told by its first bytes too, whatever the name says.
    const unnamed = join(dir, 'incidents-mini-flat.log');
    copyFileSync(csvGz, unnamed);
    expect(await readEventLogFile(unnamed)).toMatchObject({ format: 'csv', compressed: true });
    for (const table of [fromGz, csv]) {
      const a = analyseTraces(tracesOf(table));
      expect([a.events, a.cases, a.activityCount, a.variantCount, a.dfg.edges.length]).toEqual([20, 5, 6, 4, 9]);
      expect(a.caseDurationMs).toEqual(fine.caseDurationMs);
      expect(a.handovers).toEqual(fine.handovers);
    }
  });
});
