/**
 * `npm run bench -- coldstart`: how long each function's bundle takes to import in a fresh Node
 * process, next to a bundle that holds only `@aws-sdk/client-dynamodb` (the floor every function that
 * reads the table pays). Goal: every function within 2x that floor (docs/costs.md#cold-start).
 *
 * Each handler in functions/handlers/ is bundled the way lib/caseflow-function.ts has CDK bundle it
 * (esbuild, ESM, node22, minified, `module,main` main fields, the createRequire banner, a source map
 * without sources, the AWS SDK bundled). Each bundle is then imported in a fresh `node` (the one
 * running this bench: Node 22, as Lambda's nodejs22.x) 10 times, alternating with the floor so a busy
 * machine weighs on both alike, and the median of what `performance.now()` measures around the
 * `import()` is reported, with the environment each function finds in Lambda.
 * It also imports each bundle with `--enable-source-maps`, to show what that option would cost.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { CREATE_REQUIRE_BANNER, HANDLER_NAMES, type HandlerName } from '../lib/caseflow-function.js';
import { HANDLERS_DIR, REPO_ROOT } from '../lib/paths.js';

const RUNS = 10;

/** What each function finds in its environment in Lambda, enough for its module to load. */
const LAMBDA_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  TABLE_NAME: 'caseflow-bench',
  STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:bench',
  ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:bench',
  POWERTOOLS_SERVICE_NAME: 'caseflow',
  POWERTOOLS_METRICS_NAMESPACE: 'Caseflow',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
  METRICS_SCOPE: 'alarms',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/** esbuild as NodejsFunction runs it for lib/caseflow-function.ts's bundling options. */
async function bundle(entry: string | { source: string }, outfile: string): Promise<void> {
  await build({
    ...(typeof entry === 'string' ? { entryPoints: [entry] } : { stdin: { contents: entry.source, resolveDir: REPO_ROOT, loader: 'js' as const } }),
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    mainFields: ['module', 'main'],
    banner: { js: CREATE_REQUIRE_BANNER },
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    logLevel: 'error',
    absWorkingDir: REPO_ROOT,
  });
}

/** Milliseconds one fresh process takes to import `file`, as that process measures it. */
function importTime(file: string, nodeOptions: string[] = []): number {
  const probe = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); console.log(performance.now() - t);`;
  const result = spawnSync(process.execPath, [...nodeOptions, '--input-type=module', '-e', probe], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, ...LAMBDA_ENV },
  });
  if (result.status !== 0) throw new Error(`importing ${file} failed: ${result.stderr.slice(0, 2000)}`);
  return Number(result.stdout.trim());
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export interface ColdStartRow {
  readonly name: HandlerName | 'floor';
  readonly kb: number;
  readonly medianMs: number;
  readonly withSourceMapsMs: number;
}

export async function measureColdStarts(log: (line: string) => void, runs = RUNS): Promise<{ floorMs: number; rows: ColdStartRow[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'caseflow-coldstart-'));
  try {
    const files = new Map<HandlerName | 'floor', string>();
    log('bundling the floor (only @aws-sdk/client-dynamodb)...');
    // Resolved from the repository, so the floor holds the same SDK the functions bundle.
    await bundle(
      { source: "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nexport const client = new DynamoDBClient({});\n" },
      join(dir, 'floor', 'index.mjs'),
    );
    files.set('floor', join(dir, 'floor', 'index.mjs'));
    for (const name of HANDLER_NAMES) {
      log(`bundling ${name}...`);
      await bundle(join(HANDLERS_DIR, `${name}.ts`), join(dir, name, 'index.mjs'));
      files.set(name, join(dir, name, 'index.mjs'));
    }

    const times = new Map<string, number[]>([...files.keys()].map((k) => [k, []]));
    const mapped = new Map<string, number[]>([...files.keys()].map((k) => [k, []]));
    for (let run = 1; run <= runs; run++) {
      log(`import run ${run}/${runs} (${files.size} bundles, each in a fresh node, with and without --enable-source-maps)...`);
      for (const [name, file] of files) {
        times.get(name)!.push(importTime(file));
        mapped.get(name)!.push(importTime(file, ['--enable-source-maps']));
      }
    }
    const rows = [...files].map(([name, file]) => ({
      name,
      kb: Math.round(statSync(file).size / 1024),
      medianMs: median(times.get(name)!),
      withSourceMapsMs: median(mapped.get(name)!),
    }));
    return { floorMs: rows.find((r) => r.name === 'floor')!.medianMs, rows };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runColdStartBench(log: (line: string) => void): Promise<Record<string, number>> {
  const { floorMs, rows } = await measureColdStarts(log);
  const lines = [
    `| bundle | size | import (median of ${RUNS}) | × floor | with --enable-source-maps |`,
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.name === 'floor' ? '@aws-sdk/client-dynamodb only' : r.name} | ${r.kb} KB | ${r.medianMs.toFixed(0)} ms | ${(r.medianMs / floorMs).toFixed(2)} | ${r.withSourceMapsMs.toFixed(0)} ms (+${(((r.withSourceMapsMs - r.medianMs) / r.medianMs) * 100).toFixed(0)} %) |`,
    ),
  ];
  log(`cold start, Node ${process.versions.node}:\n${lines.join('\n')}`);
  const worst = rows.filter((r) => r.name !== 'floor').reduce((a, b) => (b.medianMs > a.medianMs ? b : a));
  const ratio = worst.medianMs / floorMs;
  log(`slowest: ${worst.name} at ${ratio.toFixed(2)}x the floor; goal ≤ 2x: ${ratio <= 2 ? 'met' : 'NOT met'}`);
  const figures: Record<string, number> = { 'coldstart floor ms': floorMs, 'coldstart worst ratio': ratio };
  for (const r of rows) if (r.name !== 'floor') figures[`coldstart ${r.name} ratio`] = r.medianMs / floorMs;
  return figures;
}
