/**
 * `npm run bench [-- NAME...] [--data-dir DIR]`: runs the benchmark parts in bench/*.ts (each exports a
 * `run<Name>Bench(log, options)` returning its figures), all of them or those named, one after the
 * other, with a progress line per step and a summary of every figure at the end.
 *
 * Parts that measure over real-world corpora (which are not part of this repository) read them from
 * `--data-dir DIR` or `CASEFLOW_DATA_DIR`; without it they say what they need and measure the rest.
 */
import '../lib/local/require-node.js';
import { readdir } from 'node:fs/promises';
import { basename } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';

/** What every bench part is given besides its log. */
export interface BenchOptions {
  /** The folder of real-world corpora (emails/, eventlogs/, tickets_text/), when the caller has it. */
  dataDir?: string;
}

export type BenchFunction = (log: (line: string) => void, options: BenchOptions) => Promise<Record<string, number>>;

function parseOptions(argv: string[]): { wanted: string[]; options: BenchOptions } {
  const wanted: string[] = [];
  const options: BenchOptions = { dataDir: process.env.CASEFLOW_DATA_DIR || undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--data-dir') options.dataDir = argv[++i];
    else if (arg.startsWith('--data-dir=')) options.dataDir = arg.slice('--data-dir='.length);
    else if (!arg.startsWith('-')) wanted.push(arg);
  }
  return { wanted, options };
}

async function main(): Promise<number> {
  const dir = fileURLToPath(new URL('../bench/', import.meta.url));
  const { wanted, options } = parseOptions(process.argv.slice(2));
  const parts = (await readdir(dir))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => basename(f, '.ts'))
    .sort();
  const chosen = wanted.length ? parts.filter((p) => wanted.includes(p)) : parts;
  if (chosen.length === 0) {
    console.error(`bench: no part named ${wanted.join(', ')}; parts: ${parts.join(', ')}`);
    return 2;
  }
  console.log(
    options.dataDir
      ? `[bench] real-world corpora from ${options.dataDir}`
      : '[bench] no --data-dir / CASEFLOW_DATA_DIR: measurements over real-world corpora are skipped (each part says which); the rest run',
  );
  const figures: Record<string, number> = {};
  for (const [i, part] of chosen.entries()) {
    const started = Date.now();
    console.log(`[bench ${i + 1}/${chosen.length}] ${part}...`);
    const module = (await import(pathToFileURL(`${dir}${part}.ts`).href)) as Record<string, unknown>;
    const run = Object.entries(module).find(([name, value]) => /^run\w*Bench$/.test(name) && typeof value === 'function')?.[1] as BenchFunction | undefined;
    if (!run) {
      console.error(`[bench] ${part}: exports no run<Name>Bench function; skipped`);
      continue;
    }
    Object.assign(figures, await run((line) => console.log(`[bench ${part}] ${line}`), options));
    console.log(`[bench ${i + 1}/${chosen.length}] ${part} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  console.log('\nsummary');
  for (const [name, value] of Object.entries(figures)) console.log(`  ${name.padEnd(40)} ${Number.isInteger(value) ? value : value.toFixed(2)}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // A part that was given a data dir without what it needs says so (MissingDataError): no stack trace.
    if (error instanceof Error && error.name === 'MissingDataError') {
      console.error(`bench: ${error.message}`);
      process.exit(2);
    }
    console.error('bench failed:', error);
    process.exit(1);
  },
);
