/**
 * The process maps of the two real logs the documentation shows (docs/reports-and-mining.md#the-process-map-layout),
 * measured as drawn: the help-desk log's completed tickets with every transition, and BPIC 2013 with
 * the transitions seen at least 100 times. The hand-written layered layout that ELK replaced drew
 * 52 and 13 crossings, 4 and 1 edges through boxes, and 37 and 14 labels nearer another edge than
 * their own.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { elkLayout } from '../../bin/mine/layout-elk.js';
import type { LayoutEngine, LayoutRequest, MapLayout } from '../../bin/mine/map-layout.js';
import { renderProcessMap } from '../../bin/mine/process-map.js';
import { readEventLogFile } from '../../functions/adapters/event-log-files.js';
import { analyseTraces, type LogAnalysis } from '../../functions/core/mining/analysis.js';
import { detectColumns, eventsFromTable, makeTimestampParser } from '../../functions/core/mining/columns.js';
import { groupTraces, type Trace } from '../../functions/core/mining/event-log.js';
import { filterTraces } from '../../functions/core/mining/filter.js';
import { corpusPath } from '../support/corpus.js';
import { type MapMetrics, measureMap } from '../support/map-metrics.js';

async function tracesOf(path: string): Promise<Trace[]> {
  const table = await readEventLogFile(path);
  const { mapping } = detectColumns(table, {});
  return groupTraces(eventsFromTable(table, mapping, makeTimestampParser()).events);
}

async function measured(analysis: LogAnalysis, minEdgeCount: number): Promise<{ svg: string; metrics: MapMetrics; edges: number }> {
  let seen: { request: LayoutRequest; layout: MapLayout } | undefined;
  const layout: LayoutEngine = async (request) => {
    const placed = await elkLayout(request);
    seen = { request, layout: placed };
    return placed;
  };
  const svg = await renderProcessMap(analysis, { layout, minEdgeCount, title: 'map' });
  return { svg, metrics: measureMap(seen!.request, seen!.layout), edges: seen!.request.edges.length };
}

describe('process maps of the real logs', () => {
  let helpdesk: LogAnalysis;
  let bpic: LogAnalysis;

  beforeAll(async () => {
    const tickets = await tracesOf(corpusPath('eventlogs', 'helpdesk', 'helpdesk_finale.csv'));
    helpdesk = analyseTraces(filterTraces(tickets, { startActivities: ['Assign seriousness', 'Insert ticket'], endActivities: ['Closed'] }));
    bpic = analyseTraces(await tracesOf(corpusPath('eventlogs', 'bpic2013_incidents', 'bpi_challenge_2013_incidents.xes.gz')));
  }, 120_000);

  it('draws the help-desk map with every label by its own edge, none on a box, line or label, no edge through a box', async () => {
    const { metrics, edges } = await measured(helpdesk, 1);
    // 52 transitions (self-loops among them), two ways in from the start, one way out to the end.
    expect(edges).toBe(55);
    expect(metrics).toMatchObject({ edgesThroughBoxes: 0, labelOverlaps: 0, labelsOnBoxes: 0, labelsOnOtherEdges: 0, ambiguousLabels: 0, detachedLabels: 0 });
    expect(metrics.crossings).toBeLessThan(52);
    expect(metrics.overlappingShare).toBeLessThan(0.05);
  }, 60_000);

  it('draws the BPIC 2013 map (transitions seen 100 times or more) as cleanly', async () => {
    const { svg, metrics } = await measured(bpic, 100);
    expect(svg).toContain('52 transitions below 100 hidden');
    expect(metrics).toMatchObject({ edgesThroughBoxes: 0, labelOverlaps: 0, labelsOnBoxes: 0, labelsOnOtherEdges: 0, ambiguousLabels: 0, detachedLabels: 0 });
    expect(metrics.crossings).toBeLessThan(13);
    expect(metrics.overlappingShare).toBeLessThan(0.05);
  }, 60_000);
});
