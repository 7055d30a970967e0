/**
 * `npm run bench -- coldstart`: how long each function's bundle takes to import in a fresh Node
 * process, next to a bundle that holds only `@aws-sdk/client-dynamodb` (the floor every function that
 * reads the table pays). Goal: every function within 2x that floor (docs/costs.md#cold-start).
 *
 * Each handler in functions/handlers/ is bundled with the esbuild options lib/caseflow-function.ts
 * deploys (lib/function-bundle.ts: ESM, node22, minified, `module,main` main fields, the createRequire
 * banner, source maps without sources, the AWS SDK bundled, and code splitting: what is imported with
 * `import()` goes to chunks of its own, read only when first imported). Each bundle's `index.mjs` is
 * then imported in a fresh `node` (the one running this bench: Node 22, as Lambda's nodejs22.x) 10
 * times, alternating with the floor so a busy machine weighs on both alike, and the median of what
 * `performance.now()` measures around the `import()` is reported, with the environment each function
 * finds in Lambda.
 * For comparison it also builds each function as one file (as before code splitting: a module loaded
 * on first use is then not evaluated at start but still in the one file Node parses) and imports that
 * with and without `--enable-source-maps`, to show what that option would cost (docs/costs.md#cold-start).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { HANDLER_NAMES, type HandlerName } from '../lib/caseflow-function.js';
import { functionBundleOptions } from '../lib/function-bundle.js';
import { HANDLERS_DIR } from '../lib/paths.js';

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

/** The deployed build (lib/function-bundle.ts); with `split` false, the same as one file. `outfile` is the entry. */
async function bundle(entry: string | { source: string }, outfile: string, split = true): Promise<void> {
  await build(functionBundleOptions(entry, dirname(outfile), split));
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
  /** As deployed, with code splitting: the entry chunk's size and its import time. */
  readonly splitKb?: number;
  readonly splitMs?: number;
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
    const splitFiles = new Map<HandlerName, string>();
    for (const name of HANDLER_NAMES) {
      log(`bundling ${name} (one file, and split as deployed)...`);
      await bundle(join(HANDLERS_DIR, `${name}.ts`), join(dir, name, 'index.mjs'), false);
      files.set(name, join(dir, name, 'index.mjs'));
      await bundle(join(HANDLERS_DIR, `${name}.ts`), join(dir, `${name}-split`, 'index.mjs'), true);
      splitFiles.set(name, join(dir, `${name}-split`, 'index.mjs'));
    }

    const times = new Map<string, number[]>([...files.keys()].map((k) => [k, []]));
    const mapped = new Map<string, number[]>([...files.keys()].map((k) => [k, []]));
    const split = new Map<string, number[]>([...splitFiles.keys()].map((k) => [k, []]));
    for (let run = 1; run <= runs; run++) {
      log(`import run ${run}/${runs} (${files.size} bundles, each in a fresh node, with and without --enable-source-maps, and split)...`);
      for (const [name, file] of files) {
        times.get(name)!.push(importTime(file));
        mapped.get(name)!.push(importTime(file, ['--enable-source-maps']));
        const splitFile = name === 'floor' ? undefined : splitFiles.get(name);
        if (splitFile) split.get(name)!.push(importTime(splitFile));
      }
    }
    const rows = [...files].map(([name, file]) => {
      const splitFile = name === 'floor' ? undefined : splitFiles.get(name);
      return {
        name,
        kb: Math.round(statSync(file).size / 1024),
        medianMs: median(times.get(name)!),
        withSourceMapsMs: median(mapped.get(name)!),
        ...(splitFile ? { splitKb: Math.round(statSync(splitFile).size / 1024), splitMs: median(split.get(name)!) } : {}),
      };
    });
    return { floorMs: rows.find((r) => r.name === 'floor')!.medianMs, rows };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runColdStartBench(log: (line: string) => void): Promise<Record<string, number>> {
  const { floorMs, rows } = await measureColdStarts(log);
  const lines = [
    `| bundle | one file: size | one file: import (median of ${RUNS}) | one file: × floor | one file, --enable-source-maps | deployed (split): entry chunk | deployed: import | deployed: × floor |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.name === 'floor' ? '@aws-sdk/client-dynamodb only' : r.name} | ${r.kb} KB | ${r.medianMs.toFixed(0)} ms | ${(r.medianMs / floorMs).toFixed(2)} | ${r.withSourceMapsMs.toFixed(0)} ms (+${(((r.withSourceMapsMs - r.medianMs) / r.medianMs) * 100).toFixed(0)} %) | ${r.splitKb === undefined ? '' : `${r.splitKb} KB`} | ${r.splitMs === undefined ? '' : `${r.splitMs.toFixed(0)} ms`} | ${r.splitMs === undefined ? '' : (r.splitMs / floorMs).toFixed(2)} |`,
    ),
  ];
  log(`cold start, Node ${process.versions.node}:\n${lines.join('\n')}`);
  const splitWorst = rows.filter((r) => r.splitMs !== undefined).reduce((a, b) => (b.splitMs! > a.splitMs! ? b : a));
  const splitRatio = splitWorst.splitMs! / floorMs;
  log(`as deployed (split): slowest ${splitWorst.name} at ${splitRatio.toFixed(2)}x the floor; goal ≤ 2x: ${splitRatio <= 2 ? 'met' : 'NOT met'}`);
  const worst = rows.filter((r) => r.name !== 'floor').reduce((a, b) => (b.medianMs > a.medianMs ? b : a));
  const ratio = worst.medianMs / floorMs;
  log(`as one file (the comparison, not deployed): slowest ${worst.name} at ${ratio.toFixed(2)}x the floor`);
  const figures: Record<string, number> = {
    'coldstart floor ms': floorMs,
    'coldstart worst ratio': ratio,
    'coldstart split worst ratio': splitRatio,
  };
  for (const r of rows) if (r.name !== 'floor') figures[`coldstart ${r.name} ratio`] = r.medianMs / floorMs;
  for (const r of rows) if (r.splitMs !== undefined) figures[`coldstart ${r.name} split ratio`] = r.splitMs / floorMs;
  return figures;
}
