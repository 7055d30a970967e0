/**
 * `npm run mine -- FILE [options]` / `npm run mine -- --from-stack [options]`: process mining on an
 * event log (CSV or XES, optionally gzipped) or on the running local stack's own case events.
 * Prints cases, variants, the directly-follows graph, handovers, rework and case durations; writes
 * a process map (SVG) and XES / CSV / OCEL 2.0 exports on request. See USAGE.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { makeCaseRepository } from '../functions/adapters/case-repository.js';
import { makeDocumentClient } from '../functions/adapters/dynamo.js';
import { makeEventDayReader } from '../functions/adapters/event-day-reader.js';
import { readEventLogFile, type ReadResult } from '../functions/adapters/event-log-files.js';
import type { CaseMessage, CaseRecord } from '../functions/core/case.js';
import type { CaseEvent } from '../functions/core/events.js';
import { analyseTraces, type LogAnalysis } from '../functions/core/mining/analysis.js';
import { miningEventsFromCaseEvents } from '../functions/core/mining/case-events.js';
import {
  describeMapping,
  detectColumns,
  eventsFromTable,
  EventLogInputError,
  makeTimestampParser,
  type ColumnOverrides,
  type SkippedRows,
} from '../functions/core/mining/columns.js';
import { countEvents, groupTraces, type MiningEvent, type Trace } from '../functions/core/mining/event-log.js';
import { caseEventsToCsv, eventsToCsv } from '../functions/core/mining/export-csv.js';
import { caseEventsToOcelJson } from '../functions/core/mining/export-ocel.js';
import { caseEventsToXes, eventsToXes } from '../functions/core/mining/export-xes.js';
import { describeFilter, filterTraces, FilterSyntaxError, isEmptyFilter, parseFilterExpressions, type TraceFilter } from '../functions/core/mining/filter.js';
import { DEFAULT_DATA_DIR, isAlive, readStackInfo, stackInfoPath } from '../lib/local/stack-info.js';
import { formatCount } from './mine/format.js';
import { renderProcessMap } from './mine/process-map.js';
import { analysisJson, analysisText } from './mine/report.js';

const USAGE = `Usage: npm run mine -- FILE [options]
       npm run mine -- --from-stack [--from YYYY-MM-DD] [--to YYYY-MM-DD] [options]

Process mining on an event log: cases, variants, directly-follows graph (with median times),
handovers, rework loops and case durations; optionally a process map and exports.

Input
  FILE                      the event log: CSV (, ; or tab separated) or XES (IEEE 1849), either
                            may be .gz, with a case id, an activity and a timestamp per event; e.g.
                            the help-desk log of an Italian software company (4TU.ResearchData,
                            doi:10.4121/uuid:0c60edf1-6f83-4e75-9367-4c63b3e9d5bb) or the
                            BPI Challenge 2013 incidents log
                            (doi:10.4121/uuid:500573e6-accc-4b0c-9576-aa5468b10cee), saved anywhere.
                            Two small logs ship with the repository in test/fixtures/eventlogs/.
  --from-stack              read the running local stack's case events instead (found through
                            <data-dir>/local-stack.json), one DynamoDB Query per day
  --from / --to DATE        days to read with --from-stack (default: the last 30 days, UTC)
  --data-dir DIR            the local stack's data directory (default ${DEFAULT_DATA_DIR})

Columns (detected from well-known names when omitted; the mapping is printed)
  --case-column COL         case id                (e.g. "Case ID", case:concept:name)
  --activity-column COL     activity; A+B joins columns (e.g. concept:name+lifecycle:transition)
  --timestamp-column COL    event time             (e.g. "Complete Timestamp", time:timestamp)
  --resource-column COL     who did it ('' for none)
  --team-column COL         team / group / queue, for handovers between teams ('' for none)
  --timestamp-format FMT    auto (default: ISO 8601 and variants like 2012/10/09 14:50:17.000,
                            or epoch), iso, epoch-ms, epoch-s, or a Luxon format (dd-MM-yyyy HH:mm)
  --timezone ZONE           zone of timestamps without an offset (default UTC)

Filter (repeatable; all must hold)
  --filter start=A|B        cases whose first activity is A or B
  --filter end=C            cases whose last activity is C
  --filter contains=D|E     cases in which D or E occurs
  --filter lacks=F          cases in which F never occurs

Output
  --top N                   rows per table (default 10; 0 = all)
  --json                    the report as JSON on stdout (with elapsedMs)
  --svg OUT.svg             process map of the (filtered) log
  --min-edge N              hide transitions seen fewer than N times on the map (default 1)
  --xes OUT.xes             export the (filtered) log as XES
  --csv OUT.csv             export the (filtered) log as CSV
  --ocel OUT.json           OCEL 2.0 export of the stack's events (with --from-stack)
  -h, --help                show this help

Examples
  npm run mine -- test/fixtures/eventlogs/helpdesk-mini.csv --filter "start=Triage|Register" --filter end=Close
  npm run mine -- ~/logs/helpdesk.csv \\
    --filter "start=Assign seriousness|Insert ticket" --filter end=Closed --svg map.svg
  npm run mine -- ~/logs/bpi_challenge_2013_incidents.xes.gz --min-edge 100 --svg bpic.svg
  npm run mine -- --from-stack --from 2026-11-01 --ocel events.ocel.json`;

class UsageError extends Error {
  override name = 'UsageError';
}

/** Exit 2: what was asked for cannot be had (no running stack), as opposed to bad usage (1). */
class UnavailableError extends Error {
  override name = 'UnavailableError';
}

const note = (message: string) => process.stderr.write(`${message}\n`);

/**
 * Progress on stderr for work that takes more than a couple of seconds: silent for quick files,
 * then a line that updates in place on a terminal, or a line every few seconds in a log.
 */
function progressReporter(label: string) {
  const started = performance.now();
  let lastPrinted = 0;
  let printed = false;
  return {
    update(done: number, total: number) {
      const now = performance.now();
      if (now - started < 2000) return;
      const interval = process.stderr.isTTY ? 250 : 3000;
      if (now - lastPrinted < interval) return;
      lastPrinted = now;
      const mb = (n: number) => (n / 1_048_576).toFixed(1);
      const text = `${label}: ${total ? Math.floor((100 * done) / total) : 0} % (${mb(done)} of ${mb(total)} MB)`;
      if (process.stderr.isTTY) process.stderr.write(`\r${text}`);
      else note(text);
      printed = true;
    },
    done(message?: string) {
      if (printed && process.stderr.isTTY) process.stderr.write('\n');
      if (message && (printed || performance.now() - started >= 2000)) note(message);
    },
  };
}

function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function daysBetween(from: string, to: string): string[] {
  const valid = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`));
  if (!valid(from)) throw new UsageError(`--from must be a date like 2026-11-01, not "${from}"`);
  if (!valid(to)) throw new UsageError(`--to must be a date like 2026-11-30, not "${to}"`);
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) days.push(isoDay(new Date(t)));
  if (days.length === 0) throw new UsageError(`--from ${from} is after --to ${to}`);
  if (days.length > 3660) throw new UsageError('the day range is longer than ten years; narrow --from/--to');
  return days;
}

interface LoadedLog {
  source: Record<string, unknown>;
  events: MiningEvent[];
  mapping?: Record<string, string>;
  notes: string[];
  skipped?: SkippedRows;
  /** Only for the stack: the raw records, for the OCEL export. */
  caseEvents?: CaseEvent[];
  cases?: CaseRecord[];
  messages?: CaseMessage[];
}

async function loadFile(path: string, values: Record<string, string | boolean | string[] | undefined>): Promise<LoadedLog> {
  const progress = progressReporter(`reading ${basename(path)}`);
  let table: ReadResult;
  try {
    table = await readEventLogFile(path, { onProgress: (done, total) => progress.update(done, total) });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`no such file: ${path}`);
    throw error;
  }
  progress.done(`read ${formatCount(table.rows.length)} rows from ${basename(path)}`);
  const overrides: ColumnOverrides = {};
  const str = (k: string) => values[k] as string | undefined;
  if (str('case-column') !== undefined) overrides.caseId = str('case-column')!;
  if (str('activity-column') !== undefined) overrides.activity = str('activity-column')!;
  if (str('timestamp-column') !== undefined) overrides.timestamp = str('timestamp-column')!;
  if (str('resource-column') !== undefined) overrides.resource = str('resource-column')!;
  if (str('team-column') !== undefined) overrides.group = str('team-column')!;
  const { mapping, notes } = detectColumns(table, overrides);
  const timestampOptions: { format?: string; zone?: string } = {};
  if (str('timestamp-format')) timestampOptions.format = str('timestamp-format')!;
  if (str('timezone')) timestampOptions.zone = str('timezone')!;
  const { events, skipped } = eventsFromTable(table, mapping, makeTimestampParser(timestampOptions));
  if (events.length === 0 && skipped.badTimestamp > 0) {
    throw new EventLogInputError(
      `no timestamp of column "${mapping.timestamp}" could be read (first: "${skipped.firstBadTimestamp}"); pass --timestamp-format, e.g. "dd-MM-yyyy HH:mm:ss"`,
    );
  }
  return {
    source: { file: path, format: table.format, compressed: table.compressed, rows: table.rows.length },
    events,
    mapping: describeMapping(mapping),
    notes,
    skipped,
  };
}

async function loadStack(values: Record<string, string | boolean | string[] | undefined>, wantObjects: boolean): Promise<LoadedLog> {
  const dataDir = (values['data-dir'] as string | undefined) ?? DEFAULT_DATA_DIR;
  const info = await readStackInfo(dataDir);
  if (!info) {
    throw new UnavailableError(
      `no local stack found: ${stackInfoPath(dataDir)} does not exist (start one with \`npm start\`, or point --data-dir at its data directory)`,
    );
  }
  if (!isAlive(info.pid)) {
    throw new UnavailableError(`the local stack recorded in ${stackInfoPath(dataDir)} (pid ${info.pid}) is not running; start it with \`npm start\``);
  }
  const today = new Date();
  const to = (values.to as string | undefined) ?? isoDay(today);
  const from = (values.from as string | undefined) ?? isoDay(new Date(Date.parse(`${to}T00:00:00Z`) - 29 * 86_400_000));
  const days = daysBetween(from, to);
  const client = makeDocumentClient({ endpoint: info.dynamoEndpoint });
  try {
    const reader = makeEventDayReader({ client, tableName: info.tableName });
    const caseEvents: CaseEvent[] = [];
    const progress = progressReporter(`reading ${days.length} days of events`);
    for (let i = 0; i < days.length; i++) {
      caseEvents.push(...(await reader.listEventsOfDay(days[i]!)));
      progress.update(i + 1, days.length);
    }
    progress.done();
    const loaded: LoadedLog = {
      source: { stack: info.url, table: info.tableName, dynamoEndpoint: info.dynamoEndpoint, from, to, days: days.length },
      events: miningEventsFromCaseEvents(caseEvents),
      notes: [
        `${formatCount(caseEvents.length)} events from ${info.tableName} (${from} … ${to})`,
        'activity = activity (status changes name their target status), resource = agent / system component (customers as "customer"), team = queue',
      ],
      caseEvents,
    };
    if (wantObjects) {
      // OCEL objects carry case and message attributes: one GetItem-sized Query per case, local only.
      const repo = makeCaseRepository({ client, tableName: info.tableName });
      loaded.cases = [];
      loaded.messages = [];
      for (const caseId of new Set(caseEvents.map((e) => e.caseId))) {
        const found = await repo.getWithHistory(caseId);
        if (!found) continue;
        loaded.cases.push(found.case);
        loaded.messages.push(...found.messages);
      }
    }
    return loaded;
  } finally {
    client.destroy();
  }
}

async function writeOutput(path: string, text: string, what: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text, 'utf8');
  note(`wrote ${what} to ${path}`);
}

function numberOption(values: Record<string, unknown>, name: string, fallback: number): number {
  const raw = values[name] as string | undefined;
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a whole number ≥ 0, not "${raw}"`);
  return n;
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        'from-stack': { type: 'boolean' },
        from: { type: 'string' },
        to: { type: 'string' },
        'data-dir': { type: 'string' },
        'case-column': { type: 'string' },
        'activity-column': { type: 'string' },
        'timestamp-column': { type: 'string' },
        'resource-column': { type: 'string' },
        'team-column': { type: 'string' },
        'timestamp-format': { type: 'string' },
        timezone: { type: 'string' },
        filter: { type: 'string', multiple: true },
        top: { type: 'string' },
        json: { type: 'boolean' },
        svg: { type: 'string' },
        'min-edge': { type: 'string' },
        xes: { type: 'string' },
        csv: { type: 'string' },
        ocel: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    note(`mine: ${(error as Error).message}\n\n${USAGE}`);
    return 1;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }

  try {
    const fromStack = values['from-stack'] === true;
    if (!fromStack && positionals.length !== 1)
      throw new UsageError(positionals.length ? 'give one event-log file' : 'give an event-log file, or --from-stack');
    if (fromStack && positionals.length) throw new UsageError('give either a file or --from-stack, not both');
    if (values.ocel && !fromStack) throw new UsageError('--ocel exports our own case events: use it with --from-stack');
    if (!fromStack && (values.from || values.to)) throw new UsageError('--from/--to select days of the local stack: use them with --from-stack');
    const top = numberOption(values, 'top', 10);
    const minEdge = Math.max(1, numberOption(values, 'min-edge', 1));
    const filter: TraceFilter = parseFilterExpressions(values.filter ?? []);

    const started = performance.now();
    const loaded = fromStack ? await loadStack(values, values.ocel !== undefined) : await loadFile(positionals[0]!, values);
    const loadedAt = performance.now();

    const traces = groupTraces(loaded.events);
    const kept: Trace[] = isEmptyFilter(filter) ? traces : filterTraces(traces, filter);
    const analysis: LogAnalysis = analyseTraces(kept);
    const analysedAt = performance.now();
    const activitiesInLog = new Set(loaded.events.map((e) => e.activity)).size;

    const label = fromStack ? `local stack ${String(loaded.source.stack)}` : basename(positionals[0]!);
    if (values.svg) {
      const subtitle = [
        `${formatCount(analysis.cases)} cases`,
        `${formatCount(analysis.events)} events`,
        `${formatCount(analysis.activityCount)} activities`,
        `${formatCount(analysis.dfg.edges.length)} transitions`,
        ...(isEmptyFilter(filter) ? [] : [`filter: ${describeFilter(filter)}`]),
      ].join(' · ');
      const drawingFrom = performance.now();
      const map = await renderProcessMap(analysis, { minEdgeCount: minEdge, title: `Process map: ${label}`, subtitle });
      await writeOutput(values.svg, map, `the process map (laid out in ${formatCount(performance.now() - drawingFrom)} ms)`);
    }
    const keptEvents = kept.flatMap((t) => t.events);
    if (loaded.caseEvents) {
      const keptCases = new Set(kept.map((t) => t.caseId));
      const keptCaseEvents = loaded.caseEvents.filter((e) => keptCases.has(e.caseId));
      if (values.xes) await writeOutput(values.xes, caseEventsToXes(keptCaseEvents, { logName: label }), 'XES');
      if (values.csv) await writeOutput(values.csv, caseEventsToCsv(keptCaseEvents), 'CSV');
      if (values.ocel) {
        const input = {
          events: keptCaseEvents,
          cases: (loaded.cases ?? []).filter((c) => keptCases.has(c.caseId)),
          messages: (loaded.messages ?? []).filter((m) => keptCases.has(m.caseId)),
        };
        await writeOutput(values.ocel, caseEventsToOcelJson(input), 'OCEL 2.0');
      }
    } else {
      if (values.xes) await writeOutput(values.xes, eventsToXes(keptEvents, { logName: label }), 'XES');
      if (values.csv) await writeOutput(values.csv, eventsToCsv(keptEvents, { groupColumn: loaded.mapping?.team ?? 'group' }), 'CSV');
    }

    const elapsedMs = Math.round(analysedAt - started);
    if (values.json) {
      const report = {
        source: loaded.source,
        mapping: loaded.mapping ?? null,
        notes: loaded.notes,
        skippedRows: loaded.skipped ?? null,
        log: { cases: traces.length, events: countEvents(traces), activities: activitiesInLog },
        filter: isEmptyFilter(filter) ? null : { description: describeFilter(filter), ...filter },
        analysis: analysisJson(analysis, { top }),
        elapsedMs,
        timingsMs: { load: Math.round(loadedAt - started), analyse: Math.round(analysedAt - loadedAt) },
      };
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return 0;
    }

    const out: string[] = [];
    out.push(`Event log: ${fromStack ? label : positionals[0]}`);
    if (loaded.mapping)
      out.push(
        `Mapped: ${Object.entries(loaded.mapping)
          .map(([k, v]) => `${k} = "${v}"`)
          .join(', ')}`,
      );
    // Plain detections are already in the "Mapped" line; print only the notes that explain a choice.
    for (const n of loaded.notes) if (!n.endsWith('(detected)')) out.push(`  ${n}`);
    const s = loaded.skipped;
    if (s && s.missingCase + s.missingActivity + s.badTimestamp > 0) {
      out.push(
        `  skipped rows: ${s.missingCase} without a case, ${s.missingActivity} without an activity, ${s.badTimestamp} with an unreadable timestamp${s.firstBadTimestamp ? ` (first: "${s.firstBadTimestamp}")` : ''}`,
      );
    }
    out.push(`Log: ${formatCount(traces.length)} cases, ${formatCount(countEvents(traces))} events, ${formatCount(activitiesInLog)} activities`);
    if (!isEmptyFilter(filter)) {
      out.push(
        `Filter: ${describeFilter(filter)} ▶ ${formatCount(analysis.cases)} of ${formatCount(traces.length)} cases kept (${formatCount(analysis.events)} events)`,
      );
    }
    out.push('', analysisText(analysis, { top }), '', `Analysed in ${formatCount(elapsedMs)} ms.`);
    process.stdout.write(`${out.join('\n')}\n`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      note(`mine: ${error.message}\n\nRun with --help for usage.`);
      return 1;
    }
    if (error instanceof UnavailableError) {
      note(`mine: ${error.message}`);
      return 2;
    }
    if (error instanceof EventLogInputError || error instanceof FilterSyntaxError || (error as Error).name === 'EventLogFileError') {
      note(`mine: ${(error as Error).message}`);
      return 1;
    }
    throw error;
  }
}

process.exitCode = await main();
