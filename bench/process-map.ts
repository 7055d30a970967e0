/**
 * The process map of `npm run mine --svg`, measured: how long the layout takes and how readable the
 * drawing is (crossings, edges through boxes, lines on top of each other, labels on boxes, lines
 * or labels, labels nearer another edge than their own, size), on the help-desk log (completed
 * tickets, every transition) and on BPIC 2013 (transitions seen at least 100 times), as in
 * docs/reports-and-mining.md. The maps are written to a temporary folder to be looked at.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { elkLayout } from '../bin/mine/layout-elk.js';
import type { LayoutEngine, LayoutRequest, MapLayout } from '../bin/mine/map-layout.js';
import { renderProcessMap } from '../bin/mine/process-map.js';
import { readEventLogFile } from '../functions/adapters/event-log-files.js';
import { analyseTraces, type LogAnalysis } from '../functions/core/mining/analysis.js';
import { detectColumns, eventsFromTable, makeTimestampParser } from '../functions/core/mining/columns.js';
import { groupTraces, type Trace } from '../functions/core/mining/event-log.js';
import { filterTraces } from '../functions/core/mining/filter.js';
import { measureMap } from '../test/support/map-metrics.js';

/** The layouts measured. The side-by-side comparison that chose ELK also ran the hand-written layered layout and dagre here (commit 46ee2f7). */
const ENGINES: [string, LayoutEngine][] = [['elk', elkLayout]];

async function tracesOf(path: string): Promise<Trace[]> {
  const table = await readEventLogFile(path);
  const { mapping } = detectColumns(table, {});
  return groupTraces(eventsFromTable(table, mapping, makeTimestampParser()).events);
}

export async function runProcessMapBench(log: (line: string) => void = console.log, options: { dataDir?: string } = {}): Promise<Record<string, number>> {
  const logs = options.dataDir ? join(options.dataDir, 'eventlogs') : undefined;
  if (!logs || !existsSync(logs)) {
    log('not measured: pass --data-dir (or set CASEFLOW_DATA_DIR) to the folder holding eventlogs/helpdesk and eventlogs/bpic2013_incidents');
    return {};
  }
  const maps: [string, LogAnalysis, number][] = [];
  const helpdesk = await tracesOf(join(logs, 'helpdesk', 'helpdesk_finale.csv'));
  const completed = filterTraces(helpdesk, { startActivities: ['Assign seriousness', 'Insert ticket'], endActivities: ['Closed'] });
  maps.push(['helpdesk', analyseTraces(completed), 1]);
  log(`helpdesk: ${completed.length} completed tickets`);
  const bpic = await tracesOf(join(logs, 'bpic2013_incidents', 'bpi_challenge_2013_incidents.xes.gz'));
  maps.push(['bpic2013', analyseTraces(bpic), 100]);
  log(`bpic2013: ${bpic.length} cases`);

  const out = join(tmpdir(), 'caseflow-process-map-bench');
  await mkdir(out, { recursive: true });
  const figures: Record<string, number> = {};
  for (const [name, analysis, minEdgeCount] of maps) {
    for (const [engineName, engine] of ENGINES) {
      let seen: { request: LayoutRequest; layout: MapLayout } | undefined;
      let layoutMs = 0;
      let layoutCpuMs = 0;
      const measured: LayoutEngine = async (request) => {
        const started = performance.now();
        const cpu = process.cpuUsage();
        const layout = await engine(request);
        layoutMs = performance.now() - started;
        // CPU time as well: on a shared machine the wall clock mostly measures the neighbours.
        const used = process.cpuUsage(cpu);
        layoutCpuMs = (used.user + used.system) / 1000;
        seen = { request, layout };
        return layout;
      };
      const svg = await renderProcessMap(analysis, { layout: measured, minEdgeCount, title: `${name}: ${engineName}` });
      const file = join(out, `${name}-${engineName}.svg`);
      await writeFile(file, svg);
      const m = measureMap(seen!.request, seen!.layout);
      log(
        `${name} ${engineName} layout ${Math.round(layoutMs)} ms (CPU ${Math.round(layoutCpuMs)} ms)  ${m.width}×${m.height}  crossings ${m.crossings}` +
          `  through boxes ${m.edgesThroughBoxes}  overlapping ${(m.overlappingShare * 100).toFixed(1)} %` +
          `  labels: on labels ${m.labelOverlaps}, on boxes ${m.labelsOnBoxes}, on other edges ${m.labelsOnOtherEdges}, ambiguous ${m.ambiguousLabels} of ${seen!.request.edges.length}` +
          `  upward flow ${(m.upwardFlowShare * 100).toFixed(1)} %  ▶ ${file}`,
      );
      const key = `processMap.${name}.${engineName}`;
      Object.assign(figures, {
        [`${key}.layoutMs`]: Math.round(layoutMs),
        [`${key}.layoutCpuMs`]: Math.round(layoutCpuMs),
        [`${key}.crossings`]: m.crossings,
        [`${key}.edgesThroughBoxes`]: m.edgesThroughBoxes,
        [`${key}.overlappingPercent`]: m.overlappingShare * 100,
        [`${key}.labelsOnOtherEdges`]: m.labelsOnOtherEdges,
        [`${key}.ambiguousLabels`]: m.ambiguousLabels,
        [`${key}.areaKpx`]: Math.round((m.width * m.height) / 1000),
      });
    }
  }
  return figures;
}
