/**
 * `npm run simulate -- [EVENTLOG] [options]` / `npm run simulate -- staff --target "80% within PT1H" [options]`:
 * the routing simulator (docs/simulation.md). Replays an event log, the local stack's own history or
 * generated arrivals against a routing configuration on the real engine, and reports waits, SLA
 * attainment, utilisation and reassignments; compares two configurations under common random
 * numbers; finds the fewest agents per queue that meet a target. See USAGE.
 */
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { makeCaseRepository } from '../functions/adapters/case-repository.js';
import { makeDocumentClient } from '../functions/adapters/dynamo.js';
import { makeEventDayReader } from '../functions/adapters/event-day-reader.js';
import { readEventLogFile } from '../functions/adapters/event-log-files.js';
import type { CaseRecord } from '../functions/core/case.js';
import type { CaseEvent } from '../functions/core/events.js';
import type { RoutingConfig } from '../functions/core/config.js';
import { parseRoutingConfig } from '../functions/core/config.js';
import { ValidationError } from '../functions/core/errors.js';
import { detectColumns, EventLogInputError, eventsFromTable, makeTimestampParser, type ColumnOverrides } from '../functions/core/mining/columns.js';
import { groupTraces } from '../functions/core/mining/event-log.js';
import { type AgentsChange, applyAgentChanges, parseAgentsOption } from '../functions/core/simulation/agents.js';
import {
  type Arrival,
  type ArrivalSource,
  type CaseFields,
  FIELD_PATHS,
  type FieldPath,
  type LogReplay,
  parseMix,
  parseWeeklyProfile,
  poissonArrivals,
  replayStack,
  replayTraces,
  weeklyProfileOf,
} from '../functions/core/simulation/arrivals.js';
import { meanTimeline, renderChart } from '../functions/core/simulation/chart.js';
import { type Distribution, empirical, fmt, parseDistribution } from '../functions/core/simulation/distributions.js';
import { compare, type Progress, replicate, staff, type ReplicatedRun } from '../functions/core/simulation/experiment.js';
import { parseDuration, parseInstant, parseNumber, parseTarget, parseWholeNumber, SimulationOptionError } from '../functions/core/simulation/options.js';
import { formatComparison, formatRun, formatStaffing } from '../functions/core/simulation/report.js';
import type { SimulationResult, SimulationSetup } from '../functions/core/simulation/simulate.js';
import { summarise } from '../functions/core/simulation/stats.js';
import { DEFAULT_DATA_DIR, DEMO_CONFIG_PATH, isAlive, readStackInfo, stackInfoPath } from '../lib/local/stack-info.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const USAGE = `Usage: npm run simulate -- [EVENTLOG] [options]
       npm run simulate -- staff --target "80% within PT1H" [EVENTLOG] [options]

The routing simulator: cases arrive on a virtual clock and the real routing engine decides who
takes each one (rules, filters, queue methods, capacity, working hours, relaxation, overflow,
customer history); agents hold each case for its handle time; freed capacity dispatches waiting
cases as the workflow does. Reports the wait until assignment (mean, p50, p90, p99) per queue and
priority, SLA attainment, utilisation per agent, reassignments and the cases still waiting.

Configuration
  --config FILE             the routing configuration (default config/demo.config.json)
  --agents QUEUE=N          members of a queue: N, +N or -N (new ones copy its members); repeatable;
                            a bare N for a configuration with one staffed queue
  --compare FILE            a second configuration: the same arrivals and the same random draws
                            against both, differences with 95 % confidence intervals
  --compare-agents QUEUE=N  --agents for the second configuration (alone: --config with this change)

Arrivals (one of)
  EVENTLOG                  replay a CSV or XES log (.gz too): each case arrives at its first event;
                            columns are detected as npm run mine does
  --from-stack              replay the running local stack's cases (--data-dir DIR, --from/--to)
  --poisson RATE|FILE|log   generate: RATE cases per hour; a JSON weekly profile (168 hourly rates
                            from Monday 00:00, or {"mon": [24 rates], ...}); or the hour-of-week
                            profile of the EVENTLOG given
  --start DATE --duration D generated window (default 2026-01-05, P7D)
  --from DATE --to DATE     replay only cases arriving in [from, to) (with --poisson log: the
                            part of the log the rates and attributes come from)
  --mix FIELD=V:W,...       attribute mix of generated cases, e.g. type=billing:1,question:4 (repeatable)
  --map FIELD=COLUMN        the log column a case field is read from, e.g. severity=seriousness
                            (repeatable; columns named like a field map by themselves). Fields:
                            ${FIELD_PATHS.join(', ')}
  --assigned-activity A|B   the log's activities that mean an agent took the case (detected)
  --resolved-activity C|D   ... and that it was resolved (detected)
  --case-column, --activity-column, --timestamp-column, --timestamp-format   as in npm run mine
  --timezone ZONE           local time of the chart and the weekly profile (default the
                            configuration's first calendar), and of log timestamps without an
                            offset (default UTC)

Handle times (how long an agent holds a case)
  --handle SPEC             exponential:mean=PT30M | lognormal:mean=PT30M,sd=PT20M |
                            gamma:shape=2,mean=PT30M | erlang:k=3,mean=PT30M |
                            uniform:min=PT5M,max=PT15M | fixed:PT10M |
                            empirical (the log's assignment-to-resolution times, resampled; the
                            default with a log) | log (each replayed case keeps its own)
                            (default without a log: exponential:mean=PT30M)
  --work-time elapsed|business   hold for the handle time on the wall clock (default), or count
                            only the owner's working hours

Model
  --presence calendars|always    agents are online while their calendar is open (default), or always
  --sweep-every DUR         the sweep's schedule (default PT1M)
  --warmup DUR              simulate but leave out of the figures the cases arriving this early
  --drain DUR               after the last arrival, keep going this long
  --seed N                  random seed (default 1); the same seed gives the same result
  --replications N          independent replications (default 1; 10 with --compare; 3 for staff)

Staffing (npm run simulate -- staff)
  --target "S% within T"    the share of each queue's cases to assign within T
  --queue QUEUE             staff only this queue (repeatable)
  --max-agents N            give up above this many agents for a queue

Output
  --json                    the figures as JSON on stdout
  --svg OUT.svg             chart: cases waiting and mean wait over the day
  --data-dir DIR            the local stack's data directory (default ${DEFAULT_DATA_DIR})
  -h, --help                show this help

Examples
  npm run simulate -- --config config/examples/seven-routings.config.json --poisson 60 \\
    --mix type=billing:1,question:3 --agents support=12 --svg day.svg
  npm run simulate -- helpdesk.csv --config config/examples/helpdesk.config.json \\
    --timezone Europe/Rome --compare-agents support=-1
  npm run simulate -- staff --target "80% within PT4H" helpdesk.csv --config config/examples/helpdesk.config.json`;

/** Bad usage: exit 2, naming the option. */
class UsageError extends Error {
  override name = 'UsageError';
}

/** Where the CLI writes: the process's stdout and stderr, or a test's buffers. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is a terminal (the progress bar then redraws in place). */
  tty: boolean;
}

const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  tty: Boolean(process.stderr.isTTY),
};

/** A progress bar on stderr: silent for quick runs, in place on a terminal, a line every few seconds in a log. */
function progressBar(io: Io): { update: Progress; done(): void } {
  const started = performance.now();
  let last = 0;
  let printed = false;
  return {
    update(done, label) {
      const now = performance.now();
      if (now - started < 1500) return;
      const tty = io.tty;
      if (now - last < (tty ? 200 : 5000)) return;
      last = now;
      const share = Math.max(0, Math.min(1, done));
      const width = 30;
      const filled = Math.round(share * width);
      const text = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(share * 100).toFixed(0).padStart(3)} % ${label}`;
      if (tty) io.err(`\r${text.padEnd(100)}`);
      else io.err(`${text}\n`);
      printed = true;
    },
    done() {
      if (printed && io.tty) io.err(`\r${' '.repeat(100)}\r`);
    },
  };
}

type Values = Record<string, string | boolean | string[] | undefined>;

const str = (v: Values, k: string) => v[k] as string | undefined;
const list = (v: Values, k: string) => (v[k] as string[] | undefined) ?? [];

async function loadConfig(path: string, option: string): Promise<RoutingConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`${option}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${option}: ${path} is not JSON (${(error as Error).message})`);
  }
  try {
    return parseRoutingConfig(json);
  } catch (error) {
    if (error instanceof ValidationError)
      throw new UsageError(`${option}: ${path} is not a valid configuration: ${error.issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`);
    throw error;
  }
}

function parseMaps(values: Values): Partial<Record<FieldPath, string>> {
  const out: Partial<Record<FieldPath, string>> = {};
  for (const m of list(values, 'map')) {
    const eq = m.indexOf('=');
    const field = FIELD_PATHS.find((p) => p.toLowerCase() === m.slice(0, Math.max(0, eq)).trim().toLowerCase());
    if (eq <= 0 || !field) throw new SimulationOptionError('--map', `"${m}" is not FIELD=COLUMN with FIELD one of ${FIELD_PATHS.join(', ')}`);
    out[field] = m.slice(eq + 1).trim();
  }
  return out;
}

async function loadLog(path: string, values: Values, window: { from?: number; to?: number }): Promise<LogReplay> {
  let table;
  try {
    table = await readEventLogFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`EVENTLOG: no such file: ${path}`);
    if ((error as Error).name === 'EventLogFileError') throw new UsageError(`EVENTLOG: ${(error as Error).message}`);
    throw error;
  }
  const overrides: ColumnOverrides = {};
  if (str(values, 'case-column') !== undefined) overrides.caseId = str(values, 'case-column')!;
  if (str(values, 'activity-column') !== undefined) overrides.activity = str(values, 'activity-column')!;
  if (str(values, 'timestamp-column') !== undefined) overrides.timestamp = str(values, 'timestamp-column')!;
  const { mapping } = detectColumns(table, overrides);
  const timestampOptions: { format?: string; zone?: string } = {};
  if (str(values, 'timestamp-format')) timestampOptions.format = str(values, 'timestamp-format')!;
  if (str(values, 'timezone')) timestampOptions.zone = str(values, 'timezone')!;
  const { events, skipped } = eventsFromTable(table, mapping, makeTimestampParser(timestampOptions));
  if (events.length === 0) {
    throw new UsageError(
      `EVENTLOG: no event could be read from ${path}${skipped.badTimestamp ? ` (first unreadable timestamp: "${skipped.firstBadTimestamp}"; pass --timestamp-format)` : ''}`,
    );
  }
  const split = (k: string) =>
    str(values, k)
      ?.split('|')
      .map((s) => s.trim())
      .filter(Boolean);
  return replayTraces(
    groupTraces(events),
    {
      ...(split('assigned-activity') ? { assignedActivities: split('assigned-activity')! } : {}),
      ...(split('resolved-activity') ? { resolvedActivities: split('resolved-activity')! } : {}),
      map: parseMaps(values),
      ...window,
    },
    basename(path),
  );
}

async function loadStack(values: Values, window: { from?: number; to?: number }): Promise<LogReplay> {
  const dataDir = str(values, 'data-dir') ?? DEFAULT_DATA_DIR;
  const info = await readStackInfo(dataDir);
  if (!info)
    throw new UsageError(
      `--from-stack: no local stack found: ${stackInfoPath(dataDir)} does not exist (start one with \`npm start\`, or point --data-dir at its data directory)`,
    );
  if (!isAlive(info.pid))
    throw new UsageError(`--from-stack: the local stack recorded in ${stackInfoPath(dataDir)} (pid ${info.pid}) is not running; start it with \`npm start\``);
  const to = window.to ?? Date.now();
  const from = window.from ?? to - 30 * 86_400_000;
  const days: string[] = [];
  for (let t = Date.parse(new Date(from).toISOString().slice(0, 10)); t < to; t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
  if (days.length > 3660) throw new UsageError('--from/--to: the day range is longer than ten years');
  const client = makeDocumentClient({ endpoint: info.dynamoEndpoint });
  try {
    const reader = makeEventDayReader({ client, tableName: info.tableName });
    const events: CaseEvent[] = [];
    for (const day of days) events.push(...(await reader.listEventsOfDay(day)));
    const repo = makeCaseRepository({ client, tableName: info.tableName });
    const cases: CaseRecord[] = [];
    for (const caseId of new Set(events.map((e) => e.caseId))) {
      const c = await repo.get(caseId);
      if (c) cases.push(c);
    }
    if (cases.length === 0) throw new UsageError(`--from-stack: the local stack has no cases between ${days[0]} and ${days[days.length - 1]}`);
    return replayStack(cases, events, { from, to });
  } finally {
    client.destroy();
  }
}

/** The JSON of a run without the raw wait lists (the figures keep what they say). */
function lean(r: SimulationResult): Omit<SimulationResult, 'waitsByQueue' | 'censoredByQueue'> {
  const { waitsByQueue: _w, censoredByQueue: _c, ...rest } = r;
  return rest;
}

function runJson(run: ReplicatedRun) {
  return { metrics: run.metrics, replications: run.results.map(lean) };
}

/** The CLI: returns the exit code (0, or 2 for bad usage naming the option). */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const note = (message: string) => io.err(`${message}\n`);
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        config: { type: 'string' },
        agents: { type: 'string', multiple: true },
        compare: { type: 'string' },
        'compare-agents': { type: 'string', multiple: true },
        'from-stack': { type: 'boolean' },
        poisson: { type: 'string' },
        start: { type: 'string' },
        duration: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        mix: { type: 'string', multiple: true },
        map: { type: 'string', multiple: true },
        'assigned-activity': { type: 'string' },
        'resolved-activity': { type: 'string' },
        'case-column': { type: 'string' },
        'activity-column': { type: 'string' },
        'timestamp-column': { type: 'string' },
        'timestamp-format': { type: 'string' },
        timezone: { type: 'string' },
        handle: { type: 'string' },
        'work-time': { type: 'string' },
        presence: { type: 'string' },
        'sweep-every': { type: 'string' },
        warmup: { type: 'string' },
        drain: { type: 'string' },
        seed: { type: 'string' },
        replications: { type: 'string' },
        target: { type: 'string' },
        queue: { type: 'string', multiple: true },
        'max-agents': { type: 'string' },
        json: { type: 'boolean' },
        svg: { type: 'string' },
        'data-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    note(`simulate: ${(error as Error).message}\n\nRun with --help for usage.`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(`${USAGE}\n`);
    return 0;
  }
  const bar = progressBar(io);
  try {
    const mode = positionals[0] === 'staff' ? 'staff' : 'run';
    const files = mode === 'staff' ? positionals.slice(1) : positionals;
    if (files.length > 1) throw new UsageError(`EVENTLOG: give one event log, not ${files.length} (${files.join(', ')})`);
    const logPath = files[0];
    const fromStack = values['from-stack'] === true;
    if (logPath && fromStack) throw new UsageError('--from-stack: give either an event log or --from-stack, not both');
    const poisson = str(values, 'poisson');
    if (poisson && fromStack) throw new UsageError('--poisson: generated arrivals and --from-stack exclude each other');
    if (poisson === 'log' && !logPath) throw new UsageError('--poisson: "log" takes the hour-of-week profile of an EVENTLOG; give one');
    if (!logPath && !fromStack && !poisson) throw new UsageError('give arrivals: an EVENTLOG, --from-stack or --poisson RATE');
    if (mode === 'staff' && !values.target) throw new UsageError('--target: staff needs a target such as --target "80% within PT1H"');
    if (mode === 'run' && values.target) throw new UsageError('--target: only with staff (npm run simulate -- staff --target ...)');
    if (mode === 'staff' && (values.compare || values['compare-agents']))
      throw new UsageError('--compare: staff finds agent numbers for one configuration; compare separately');
    const generated = Boolean(poisson);
    if (!generated && (values.start || values.duration || values.mix)) {
      throw new UsageError(`--${values.start ? 'start' : values.duration ? 'duration' : 'mix'}: only for generated arrivals (--poisson)`);
    }

    const configPath = str(values, 'config') ?? DEMO_CONFIG_PATH;
    const baseConfig = await loadConfig(configPath, '--config');
    const changes: AgentsChange[] = list(values, 'agents').map((a) => parseAgentsOption(a, baseConfig, '--agents'));
    const applied = applyAgentChanges(baseConfig, changes);
    const config = applied.config;
    let compareConfig: RoutingConfig | undefined;
    let compareNotes: string[] = [];
    let compareName = '';
    if (values.compare || values['compare-agents']) {
      const other = values.compare ? await loadConfig(str(values, 'compare')!, '--compare') : config;
      const otherChanges = list(values, 'compare-agents').map((a) => parseAgentsOption(a, other, '--compare-agents'));
      const b = applyAgentChanges(other, otherChanges);
      compareConfig = b.config;
      compareNotes = b.notes;
      compareName = values.compare ? basename(str(values, 'compare')!) : `with ${list(values, 'compare-agents').join(' ')}`;
    }

    const zone = str(values, 'timezone') ?? config.businessHours[0]?.timezone ?? 'UTC';
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
    } catch {
      throw new UsageError(`--timezone: "${zone}" is not an IANA time zone (such as Europe/Rome)`);
    }
    const window = {
      ...(values.from ? { from: parseInstant(str(values, 'from')!, '--from') } : {}),
      ...(values.to ? { to: parseInstant(str(values, 'to')!, '--to') } : {}),
    };
    if (window.from !== undefined && window.to !== undefined && window.to <= window.from) throw new UsageError('--to: must be after --from');

    // Arrivals and handle times.
    let replay: LogReplay | undefined;
    if (generated && poisson !== 'log' && (values.from || values.to)) {
      throw new UsageError(
        `--${values.from ? 'from' : 'to'}: only for replayed arrivals (an EVENTLOG or --from-stack); generated ones take --start and --duration`,
      );
    }
    // With --poisson log, --from/--to choose the part of the log the profile and the attributes come from.
    if (logPath) replay = await loadLog(logPath, values, window);
    else if (fromStack) replay = await loadStack(values, window);
    let arrivals: ArrivalSource;
    if (generated) {
      const start = values.start ? parseInstant(str(values, 'start')!, '--start') : Date.parse('2026-01-05T00:00:00Z');
      const duration = values.duration ? parseDuration(str(values, 'duration')!, '--duration') : 7 * 86_400_000;
      if (duration <= 0) throw new UsageError('--duration: must be more than zero');
      let perHour: number | number[];
      let pool: CaseFields[] | undefined;
      if (poisson === 'log') {
        const all: Arrival[] = [];
        const stream = replay!.source.open(0);
        for (let a = stream.next(); a; a = stream.next()) all.push(a);
        if (all.length === 0) throw new UsageError('EVENTLOG: no case arrives in the window asked for');
        perHour = weeklyProfileOf(all, zone);
        pool = all.map((a) => a.fields);
      } else if (/^\d/.test(poisson!) && !poisson!.endsWith('.json')) {
        perHour = parseNumber(poisson!, '--poisson');
        if (!(perHour > 0)) throw new UsageError(`--poisson: the rate must be more than zero cases per hour, not ${poisson}`);
      } else {
        let json: unknown;
        try {
          json = JSON.parse(await readFile(poisson!, 'utf8'));
        } catch (error) {
          throw new UsageError(`--poisson: "${poisson}" is neither a rate per hour nor a readable JSON profile (${(error as Error).message})`);
        }
        perHour = parseWeeklyProfile(json, '--poisson');
      }
      arrivals = poissonArrivals({
        profile: { perHour, timezone: zone },
        start,
        end: start + duration,
        mix: list(values, 'mix').map((m) => parseMix(m)),
        ...(pool ? { pool } : {}),
      });
    } else {
      arrivals = replay!.source;
      if (arrivals.count === 0) throw new UsageError(`${logPath ? 'EVENTLOG' : '--from-stack'}: no case arrives in the window asked for`);
    }
    const handleSpec = str(values, 'handle') ?? (replay ? 'empirical' : 'exponential:mean=PT30M');
    let distribution: Distribution;
    let useObserved = false;
    if (handleSpec === 'empirical' || handleSpec === 'log') {
      if (!replay) throw new UsageError(`--handle: ${handleSpec} takes handle times from an event log or --from-stack; give one, or name a distribution`);
      distribution = empirical(replay.handleTimes, `empirical from ${logPath ? basename(logPath) : 'the local stack'}`);
      useObserved = handleSpec === 'log';
    } else {
      distribution = parseDistribution(handleSpec, '--handle');
    }
    const workTime = str(values, 'work-time') ?? 'elapsed';
    if (workTime !== 'elapsed' && workTime !== 'business') throw new UsageError(`--work-time: "${workTime}" is not elapsed or business`);
    const presence = str(values, 'presence') ?? 'calendars';
    if (presence !== 'calendars' && presence !== 'always') throw new UsageError(`--presence: "${presence}" is not calendars or always`);
    const seed = values.seed ? parseWholeNumber(str(values, 'seed')!, '--seed', 0, 0xffffffff) : 1;
    const replications = values.replications
      ? parseWholeNumber(str(values, 'replications')!, '--replications', 1, 10_000)
      : compareConfig
        ? 10
        : mode === 'staff'
          ? 3
          : 1;
    if (compareConfig && replications < 2) throw new UsageError('--replications: a comparison needs at least 2 replications for its confidence intervals');
    const setup: SimulationSetup = {
      config,
      arrivals,
      handle: { distribution, useObserved },
      seed,
      workTime,
      presence,
      timezone: zone,
      ...(values['sweep-every'] ? { sweepEveryMs: positive(parseDuration(str(values, 'sweep-every')!, '--sweep-every'), '--sweep-every') } : {}),
      ...(values.warmup ? { warmupMs: parseDuration(str(values, 'warmup')!, '--warmup') } : {}),
      ...(values.drain ? { drainMs: parseDuration(str(values, 'drain')!, '--drain') } : {}),
    };
    if (setup.warmupMs !== undefined && setup.warmupMs >= arrivals.end - arrivals.start)
      throw new UsageError('--warmup: as long as the whole window; nothing would be measured');

    const heading = [
      `Simulation of ${basename(configPath)}${applied.notes.length ? ` (${applied.notes.join('; ')})` : ''}`,
      `Arrivals: ${arrivals.description}${replay ? `; ${replay.notes.join('; ')}` : ''}`,
      `Handle times: ${distribution.description}${useObserved ? ', each replayed case keeping its own' : ''}; work time ${workTime}; presence ${presence}; seed ${seed}${replications > 1 ? `; ${replications} replications` : ''}`,
    ];
    if (replay && Object.keys(replay.mapping.fields).length) {
      heading.push(
        `Case fields from the log: ${Object.entries(replay.mapping.fields)
          .map(([f, c]) => `${f} = "${c}"`)
          .join(', ')}`,
      );
    }
    const observed = replay && !generated && replay.observedWaits.length ? summarise(replay.observedWaits) : undefined;
    const started = performance.now();

    if (mode === 'staff') {
      const target = parseTarget(str(values, 'target')!, '--target');
      const queues = list(values, 'queue');
      for (const q of queues) if (!config.queues.some((x) => x.id === q)) throw new UsageError(`--queue: no queue "${q}" in the configuration`);
      const maxAgents = values['max-agents'] ? parseWholeNumber(str(values, 'max-agents')!, '--max-agents', 1) : undefined;
      const result = staff(setup, { target, replications, ...(queues.length ? { queues } : {}), ...(maxAgents ? { maxAgents } : {}) }, bar.update);
      bar.done();
      if (values.svg && result.final)
        await writeSvg(io, str(values, 'svg')!, result.final, `Staffed for ${target.text}: ${basename(configPath)}`, arrivals.description);
      if (values.json) {
        const { final, ...rest } = result;
        io.out(
          `${JSON.stringify({ mode, setup: describeSetup(setup, configPath), ...rest, final: final ? runJson(final) : null, elapsedMs: Math.round(performance.now() - started) }, null, 2)}\n`,
        );
      } else {
        io.out(`${formatStaffing(result, heading)}\n\nDone in ${((performance.now() - started) / 1000).toFixed(1)} s.\n`);
      }
      return 0;
    }

    if (compareConfig) {
      const result = compare(setup, { ...setup, config: compareConfig }, replications, bar.update);
      bar.done();
      const names = { a: 'A', b: 'B' };
      const head = [
        ...heading,
        `Compared: A = ${basename(configPath)}${applied.notes.length ? ` (${applied.notes.join('; ')})` : ''}; B = ${compareName}${compareNotes.length ? ` (${compareNotes.join('; ')})` : ''}`,
      ];
      if (values.svg) {
        await writeChart(io, str(values, 'svg')!, `Compared: A = ${basename(configPath)}, B = ${compareName}`, arrivals.description, [
          { name: `A: ${basename(configPath)}`, timeline: meanTimeline(result.a.results.map((r) => r.timeline)) },
          { name: `B: ${compareName}`, timeline: meanTimeline(result.b.results.map((r) => r.timeline)) },
        ]);
      }
      if (values.json) {
        io.out(
          `${JSON.stringify({ mode: 'compare', setup: describeSetup(setup, configPath), b: compareName, a: runJson(result.a), bRun: runJson(result.b), differences: result.differences, elapsedMs: Math.round(performance.now() - started) }, null, 2)}\n`,
        );
      } else {
        io.out(`${formatComparison(result, head, names)}\n\nDone in ${((performance.now() - started) / 1000).toFixed(1)} s.\n`);
      }
      return 0;
    }

    const run = replicate(setup, replications, bar.update);
    bar.done();
    if (values.svg) await writeSvg(io, str(values, 'svg')!, run, `Simulation: ${basename(configPath)}`, arrivals.description);
    if (values.json) {
      io.out(
        `${JSON.stringify({ mode, setup: describeSetup(setup, configPath), observedInLog: observed ?? null, ...runJson(run), elapsedMs: Math.round(performance.now() - started) }, null, 2)}\n`,
      );
    } else {
      const text = formatRun(run, heading);
      const inLog = observed
        ? `\nIn the log itself: wait until first assignment mean ${fmt(observed.mean)}, p50 ${fmt(observed.p50)}, p90 ${fmt(observed.p90)}, p99 ${fmt(observed.p99)} (${observed.count} cases)`
        : '';
      io.out(
        `${text}${inLog}\n\nSimulated ${run.results.reduce((s, r) => s + r.arrivals.total, 0)} cases in ${((performance.now() - started) / 1000).toFixed(1)} s.\n`,
      );
    }
    return 0;
  } catch (error) {
    bar.done();
    if (error instanceof UsageError || error instanceof SimulationOptionError || error instanceof EventLogInputError) {
      note(`simulate: ${error.message}\n\nRun with --help for usage.`);
      return 2;
    }
    throw error;
  }
}

function positive(ms: number, option: string): number {
  if (!(ms > 0)) throw new UsageError(`${option}: must be more than zero`);
  return ms;
}

function describeSetup(setup: SimulationSetup, configPath: string) {
  return {
    config: configPath,
    arrivals: setup.arrivals.description,
    window: { start: new Date(setup.arrivals.start).toISOString(), end: new Date(setup.arrivals.end).toISOString() },
    handle: setup.handle.distribution.description,
    useObservedHandleTimes: setup.handle.useObserved ?? false,
    seed: setup.seed,
    workTime: setup.workTime,
    presence: setup.presence,
    timezone: setup.timezone,
  };
}

async function writeChart(io: Io, path: string, title: string, subtitle: string, series: Parameters<typeof renderChart>[0]['series']): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, renderChart({ title, subtitle, series }), 'utf8');
  io.err(`wrote the chart to ${path}\n`);
}

async function writeSvg(io: Io, path: string, run: ReplicatedRun, title: string, subtitle: string): Promise<void> {
  await writeChart(io, path, title, `${subtitle}${run.results.length > 1 ? ` (mean of ${run.results.length} replications)` : ''}`, [
    { name: title, timeline: meanTimeline(run.results.map((r) => r.timeline)) },
  ]);
}

// Run when executed (npm run simulate); a test imports main and calls it.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
