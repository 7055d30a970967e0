/**
 * `npm run triage -- <command>`: automatic triage models.
 *
 *   train                          learn type, product and queue from the store's closed cases
 *   train --csv FILE --text-column C --label-column L [--field type]
 *                                  learn one field from a CSV file (history from another system)
 *   list                           the stored model versions with their held-back accuracy
 *   show VERSION                   a version's full evaluation
 *   predict VERSION TEXT           what a version predicts for a text, and why
 *
 * Locally the cases come from the running stack found through --data-dir (default .caseflow) and
 * models go to <data-dir>/triage-models. Against AWS pass --table and --bucket (or set TABLE_NAME
 * and TRIAGE_MODEL_BUCKET); the credentials are the operator's own. A version is used once the
 * routing configuration names it: `"triage": { "modelVersion": "<version>" }`.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse/sync';
import { makeCaseRepository } from '../functions/adapters/case-repository.js';
import { makeDocumentClient } from '../functions/adapters/dynamo.js';
import { makeFileModelStore, makeLazyS3ModelStore } from '../functions/adapters/triage-model-store.js';
import { ValidationError } from '../functions/core/errors.js';
import { type FieldEvaluation, type ModelSummary, summarise } from '../functions/core/triage/bundle.js';
import { predict } from '../functions/core/triage/model.js';
import type { TriageModelStore } from '../functions/core/triage/ports.js';
import { makeTrainTriage, type TrainResult } from '../functions/core/use-cases/train-triage.js';
import { DEFAULT_DATA_DIR, TRIAGE_MODELS_DIR, findRunningStack } from '../lib/local/stack-info.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const USAGE = `Usage: npm run triage -- <train|list|show|predict> [options]

Commands:
  train                 learn type, product and queue from resolved and closed cases
  train --csv FILE      learn one field from a CSV file instead
  list                  stored model versions with their held-back accuracy
  show VERSION          a version's evaluation (thresholds, confused labels, corrections)
  predict VERSION TEXT  the prediction for a text, its runners-up and the words that weighed most

Options:
  --csv FILE            train from this CSV file (header row required)
  --text-column C       the column(s) with the text; several as "subject,body"
  --label-column L      the column with the label
  --field F             which field the CSV's labels are (type, product or queue; default type)
  --held-back X         share of examples held back for evaluation (default 0.2)
  --max-cases N         read at most this many closed cases (default 100000)
  --data-dir DIR        the local stack's data directory (default ${DEFAULT_DATA_DIR})
  --table NAME          the DynamoDB table in AWS (default $TABLE_NAME)
  --bucket NAME         the model bucket in AWS (default $TRIAGE_MODEL_BUCKET)
  --prefix P            the model key prefix (default $TRIAGE_MODEL_PREFIX or triage-models/)
  -h, --help            show this help`;

class UsageError extends Error {}

/** Where the CLI writes: the process's stdout and stderr, or a test's buffers. */
export interface Io {
  /** A line of the report (stdout). */
  out(line: string): void;
  /** Progress and notes (stderr), as given: the caller ends its lines. */
  err(text: string): void;
  /** Whether stderr is a terminal (progress then redraws in place). */
  tty: boolean;
}

const processIo: Io = {
  out: (line) => console.log(line),
  err: (text) => process.stderr.write(text),
  tty: Boolean(process.stderr.isTTY),
};

/** A whole number of at least 1 given to an option, or a usage error naming it. */
function positiveInteger(value: string, option: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${option} takes a whole number of at least 1, not "${value}"`);
  return n;
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/** Progress on one line when a terminal shows it, else a line per stage and every tenth. */
function progressPrinter(io: Io): (stage: string, done: number, total: number) => void {
  let lastStage = '';
  let lastTenth = -1;
  return (stage, done, total) => {
    const tenth = Math.floor((done / Math.max(total, 1)) * 10);
    if (io.tty) {
      io.err(`\r\x1b[K${stage} ${Math.round((done / Math.max(total, 1)) * 100)} %`);
      if (done >= total) io.err('\n');
      return;
    }
    if (stage !== lastStage || tenth !== lastTenth) io.err(`${stage} ${tenth * 10} %\n`);
    lastStage = stage;
    lastTenth = tenth;
  };
}

export function formatEvaluation(field: string, e: FieldEvaluation): string {
  const lines = [
    `${field}: ${e.counts.examples} examples in ${e.counts.labels} labels; measured on ${e.counts.heldBack} held back`,
    `  accuracy ${pct(e.accuracy)}, macro-F1 ${pct(e.macroF1)}`,
    '  threshold  coverage  precision',
    ...e.thresholds.map((t) => `  ${t.threshold.toFixed(2).padStart(9)}  ${pct(t.coverage).padStart(8)}  ${pct(t.precision).padStart(9)}`),
  ];
  if (e.confused.length > 0) {
    lines.push('  most confused (actual ▶ predicted):');
    for (const c of e.confused) lines.push(`    ${c.count} × ${c.actual} ▶ ${c.predicted}`);
  }
  if (e.corrections) {
    lines.push(
      `  predictions applied to these cases: ${e.corrections.applied}, corrected by an agent: ${e.corrections.corrected}` +
        (e.corrections.applied ? ` (${pct(e.corrections.rate)})` : ''),
    );
  }
  if (e.seconds)
    lines.push(
      `  trained in ${(e.seconds.heldBackRound + e.seconds.finalFit).toFixed(1)} s (held-back round ${e.seconds.heldBackRound.toFixed(1)} s, final fit ${e.seconds.finalFit.toFixed(1)} s)`,
    );
  return lines.join('\n');
}

function printSummary(io: Io, s: ModelSummary): void {
  io.out(`version ${s.version} (${s.createdAt}) from ${s.source.description}`);
  for (const [field, e] of Object.entries(s.evaluation)) if (e) io.out(formatEvaluation(field, e));
  for (const [field, reason] of Object.entries(s.skipped)) io.out(`${field}: not trained (${reason})`);
}

interface Stores {
  models: TriageModelStore;
  table?: { endpoint?: string; tableName: string; description: string };
}

async function stores(values: Record<string, string | boolean | undefined>): Promise<Stores> {
  const bucket = (values.bucket as string | undefined) ?? process.env.TRIAGE_MODEL_BUCKET;
  const tableName = (values.table as string | undefined) ?? process.env.TABLE_NAME;
  if (bucket || tableName) {
    if (!bucket) throw new UsageError('against AWS name the model bucket too (--bucket or TRIAGE_MODEL_BUCKET)');
    const prefix = (values.prefix as string | undefined) ?? process.env.TRIAGE_MODEL_PREFIX ?? 'triage-models/';
    return { models: makeLazyS3ModelStore(bucket, prefix), ...(tableName ? { table: { tableName, description: `table ${tableName}` } } : {}) };
  }
  const dataDir = (values['data-dir'] as string | undefined) ?? DEFAULT_DATA_DIR;
  const running = await findRunningStack(dataDir);
  return {
    models: makeFileModelStore(join(dataDir, TRIAGE_MODELS_DIR)),
    ...(running ? { table: { endpoint: running.dynamoEndpoint, tableName: running.tableName, description: `the local stack's table (${dataDir})` } } : {}),
  };
}

async function readCsv(file: string, textColumns: string[], labelColumn: string): Promise<{ text: string; label: string }[]> {
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
  const rows = parse(content, { columns: true, skip_empty_lines: true, bom: true, relax_column_count: true }) as Record<string, string>[];
  const header = rows[0] ? Object.keys(rows[0]) : [];
  for (const column of [...textColumns, labelColumn]) {
    if (!header.includes(column)) throw new UsageError(`${file} has no column "${column}" (it has: ${header.join(', ')})`);
  }
  return rows
    .map((r) => ({ text: textColumns.map((c) => r[c] ?? '').join('\n'), label: (r[labelColumn] ?? '').trim() }))
    .filter((r) => r.label !== '' && r.text.trim() !== '');
}

/** `npm run triage -- ...`: the exit code (0 done, 1 failed, 2 bad usage, with the message). */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  try {
    return await run(argv, io);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS_')) {
      io.err(`triage: ${(error as Error).message}\n\n${USAGE}\n`);
      return 2;
    }
    if (error instanceof ValidationError) {
      io.err(`${error.issues.map((i) => `${i.field}: ${i.message}`).join('\n')}\n`);
      return 1;
    }
    io.err(`triage failed: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}

async function run(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      csv: { type: 'string' },
      'text-column': { type: 'string' },
      'label-column': { type: 'string' },
      field: { type: 'string' },
      'held-back': { type: 'string' },
      'max-cases': { type: 'string' },
      'data-dir': { type: 'string' },
      table: { type: 'string' },
      bucket: { type: 'string' },
      prefix: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('name a command: train, list, show or predict');
  const [command, ...rest] = positionals;
  if (!['train', 'list', 'show', 'predict'].includes(command!)) throw new UsageError(`unknown command ${command}`);
  const maxCases = values['max-cases'] !== undefined ? positiveInteger(values['max-cases'], '--max-cases') : undefined;
  const { models, table } = await stores(values);

  if (command === 'list') {
    const all = await models.list();
    if (all.length === 0) io.out('no model versions stored yet: npm run triage -- train');
    for (const s of all) {
      const fields = Object.entries(s.evaluation)
        .map(([f, e]) => `${f} ${pct(e!.accuracy)}`)
        .join(', ');
      io.out(`${s.version}  ${s.createdAt}  ${fields}  (${s.source.description})`);
    }
    return 0;
  }
  if (command === 'show' || command === 'predict') {
    const version = rest[0];
    if (!version) throw new UsageError(`name the version: npm run triage -- ${command} VERSION`);
    const bundle = await models.load(version);
    if (!bundle) throw new UsageError(`no model version ${version} is stored`);
    if (command === 'show') {
      printSummary(io, summarise(bundle));
      return 0;
    }
    const text = rest.slice(1).join(' ');
    if (!text) throw new UsageError('give the text: npm run triage -- predict VERSION "my card has not arrived"');
    for (const [field, model] of Object.entries(bundle.fields)) if (model) io.out(`${field} ${JSON.stringify(predict(model, text), null, 2)}`);
    return 0;
  }
  const heldBack = values['held-back'] !== undefined ? Number(values['held-back']) : undefined;
  if (heldBack !== undefined && !(heldBack > 0 && heldBack < 1)) throw new UsageError('--held-back takes a share between 0 and 1, e.g. 0.2');
  const started = Date.now();
  const common = { ...(heldBack !== undefined ? { heldBack } : {}), onProgress: progressPrinter(io), log: (line: string) => io.err(`${line}\n`) };
  let result: TrainResult;
  if (values.csv) {
    const textColumns = (values['text-column'] ?? '').split(',').filter(Boolean);
    const labelColumn = values['label-column'];
    if (textColumns.length === 0 || !labelColumn) throw new UsageError('with --csv give --text-column and --label-column');
    const field = values.field ?? 'type';
    if (!['type', 'product', 'queue'].includes(field)) throw new UsageError('--field is type, product or queue');
    const rows = await readCsv(values.csv, textColumns, labelColumn);
    io.err(`read ${rows.length} labelled rows from ${values.csv}\n`);
    const train = makeTrainTriage({ cases: { list: async () => ({ items: [] }) }, models, clock: { now: () => new Date() }, elapsed: () => Date.now() });
    result = await train.fromRows(field, rows, `${values.csv} (text: ${textColumns.join(' + ')}, label: ${labelColumn})`, common);
  } else {
    if (!table) throw new UsageError('no case table: start the local stack (npm start), or pass --table and --bucket for AWS, or train from a file with --csv');
    const client = makeDocumentClient(table.endpoint ? { endpoint: table.endpoint } : {});
    try {
      const train = makeTrainTriage({
        cases: makeCaseRepository({ client, tableName: table.tableName }),
        models,
        clock: { now: () => new Date() },
        elapsed: () => Date.now(),
      });
      result = await train.fromCases({ ...common, ...(maxCases ? { maxCases } : {}), sourceName: table.description });
    } finally {
      client.destroy();
    }
  }
  printSummary(io, summarise(result.bundle));
  io.out(`\nstored ${result.location} (${(result.bytes / 1024 / 1024).toFixed(1)} MB) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  io.out(`to use it, set "triage": { "modelVersion": "${result.bundle.version}" } in the routing configuration (npm run config -- apply FILE)`);
  return 0;
}

// Run when executed (npm run triage); a test imports main and calls it.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exit(await main(process.argv.slice(2)));
