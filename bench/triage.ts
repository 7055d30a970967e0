/**
 * Triage benchmark (`npm run bench -- triage [--data-dir DIR]`).
 *
 * With the corpora (tickets_text/banking77 under the data dir): trains on Banking77's 10,003
 * training queries as `npm run triage -- train` does, but holding back a tenth for calibration (the
 * command's default is a fifth), then the final fit on all 10,003, and measures on the official
 * 3,080-query test split: top-1 accuracy, macro-F1, precision and coverage at the default
 * threshold, training time (wall and CPU), prediction time per case, and the model file's size.
 *
 * Always: the stamp function's import time (its bundle, built the way CDK builds it, imported in a
 * fresh Node process, median of 10), and prediction time on a small built-in multilingual set.
 * Set CASEFLOW_BASELINE_ROOT to another checkout (e.g. one without triage) to measure its stamp
 * function the same way, for the before/after difference.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { build } from 'esbuild';
import type { BenchOptions } from '../bin/bench.js';
import { serialiseBundle } from '../functions/core/triage/bundle.js';
import { evaluate, thresholdFor } from '../functions/core/triage/evaluate.js';
import { type LabelledText, predict } from '../functions/core/triage/model.js';
import { DEFAULT_MIN_CONFIDENCE } from '../functions/core/triage/settings.js';
import { scoreExamples, trainField } from '../functions/core/triage/train.js';
import { REPO_ROOT } from '../lib/paths.js';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * The stamp handler bundled as CDK bundles it (ESM, minified, SDK included), imported 10 times in
 * fresh processes: the median wall time, and the median CPU time of the import (which depends much
 * less on what else the machine is running).
 */
export async function stampImportMs(root: string, runs = 10): Promise<{ wallMs: number; cpuMs: number }> {
  const out = mkdtempSync(join(tmpdir(), 'caseflow-stamp-'));
  try {
    const file = join(out, 'index.mjs');
    await build({
      entryPoints: [join(root, 'functions', 'handlers', 'workflow-stamp.ts')],
      absWorkingDir: root,
      bundle: true,
      platform: 'node',
      format: 'esm',
      mainFields: ['module', 'main'],
      banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
      target: 'node22',
      minify: true,
      outfile: file,
      logLevel: 'error',
    });
    const probe = `const c = process.cpuUsage(); const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); const u = process.cpuUsage(c); console.log(performance.now() - t, (u.user + u.system) / 1000);`;
    const times: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < runs; i++) {
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', probe], {
        cwd: out,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, AWS_REGION: 'eu-west-1', TABLE_NAME: 'bench', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      });
      if (r.status !== 0) throw new Error(`importing the stamp bundle failed: ${r.stderr.slice(0, 500)}`);
      const [wall, used] = r.stdout.trim().split(' ').map(Number);
      times.push(wall!);
      cpu.push(used!);
    }
    return { wallMs: median(times), cpuMs: median(cpu) };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** A few support messages per language and label, written for this bench (not real data): enough to time predictions. */
const SMALL_SET: LabelledText[] = [
  ['My invoice charged me twice this month', 'billing'],
  ['Refund the double payment on my bill please', 'billing'],
  ['Meine Rechnung ist doppelt abgebucht worden', 'billing'],
  ['Со счёта дважды списали оплату за подписку', 'billing'],
  ['我的账单被重复扣款了，请退款', 'billing'],
  ['صورتحساب من دو بار کسر شده است', 'billing'],
  ['The lamp does not turn on after the update', 'incident'],
  ['Die Lampe geht nach dem Update nicht mehr an', 'incident'],
  ['Лампа не включается после обновления', 'incident'],
  ['更新后灯无法打开', 'incident'],
  ['لامپ بعد از به‌روزرسانی روشن نمی‌شود', 'incident'],
  ['La lámpara no enciende después de la actualización', 'incident'],
  ['How do I change the colour of my lamp?', 'question'],
  ['Wie ändere ich die Farbe meiner Lampe?', 'question'],
  ['Как поменять цвет лампы?', 'question'],
  ['如何更改灯的颜色？', 'question'],
  ['چطور رنگ لامپ را عوض کنم؟', 'question'],
  ['Comment changer la couleur de ma lampe ?', 'question'],
].map(([text, label]) => ({ text: text!, label: label! }));

export async function runTriageBench(log: (line: string) => void, options: BenchOptions): Promise<Record<string, number>> {
  const figures: Record<string, number> = {};

  log('stamp function import time (bundled as CDK bundles it, fresh process, median of 10)...');
  const here = await stampImportMs(REPO_ROOT);
  figures['triage.stampImportMs'] = here.wallMs;
  figures['triage.stampImportCpuMs'] = here.cpuMs;
  log(`  this tree: ${here.wallMs.toFixed(1)} ms wall, ${here.cpuMs.toFixed(1)} ms CPU`);
  const baseline = process.env.CASEFLOW_BASELINE_ROOT;
  if (baseline) {
    const before = await stampImportMs(baseline);
    figures['triage.stampImportBaselineMs'] = before.wallMs;
    figures['triage.stampImportBaselineCpuMs'] = before.cpuMs;
    figures['triage.stampImportGrowthCpuMs'] = here.cpuMs - before.cpuMs;
    log(
      `  baseline ${baseline}: ${before.wallMs.toFixed(1)} ms wall, ${before.cpuMs.toFixed(1)} ms CPU (growth ${(here.cpuMs - before.cpuMs).toFixed(1)} ms CPU)`,
    );
  }

  const small = trainField('type', [...SMALL_SET, ...SMALL_SET], { heldBack: 0.2 });
  const started = performance.now();
  const rounds = 200;
  for (let i = 0; i < rounds; i++) for (const e of SMALL_SET) predict(small.model, e.text);
  figures['triage.smallPredictMs'] = (performance.now() - started) / (rounds * SMALL_SET.length);
  log(`prediction on the built-in multilingual set: ${figures['triage.smallPredictMs'].toFixed(3)} ms per case`);

  const dir = options.dataDir ? join(options.dataDir, 'tickets_text', 'banking77') : undefined;
  if (!dir || !existsSync(join(dir, 'train.csv'))) {
    log('Banking77 not measured: it needs tickets_text/banking77/{train,test}.csv under --data-dir DIR (or CASEFLOW_DATA_DIR)');
    return figures;
  }
  const load = (file: string) =>
    (parse(readFileSync(join(dir, file)), { columns: true }) as { text: string; category: string }[]).map((r) => ({ text: r.text, label: r.category }));
  const train = load('train.csv');
  const test = load('test.csv');
  log(`Banking77: ${train.length} training and ${test.length} test queries`);

  let lastStage = '';
  const cpu = process.cpuUsage();
  const wall = performance.now();
  const trained = trainField('category', train, {
    heldBack: 0.1,
    now: () => performance.now(),
    onProgress: (stage) => {
      if (stage !== lastStage) log(`  ${stage}`);
      lastStage = stage;
    },
  });
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  figures['triage.banking77.trainWallS'] = (performance.now() - wall) / 1000;
  figures['triage.banking77.trainCpuS'] = cpuSeconds;
  figures['triage.banking77.finalFitWallS'] = trained.seconds.finalFit;
  figures['triage.banking77.calibrationRoundWallS'] = trained.seconds.heldBackRound;

  const scored = scoreExamples(trained.model, test);
  const e = evaluate(scored, { thresholds: [DEFAULT_MIN_CONFIDENCE] });
  const atDefault = e.thresholds[0]!;
  figures['triage.banking77.accuracyPct'] = e.accuracy * 100;
  figures['triage.banking77.macroF1Pct'] = e.macroF1 * 100;
  figures['triage.banking77.precisionAtDefaultPct'] = atDefault.precision * 100;
  figures['triage.banking77.coverageAtDefaultPct'] = atDefault.coverage * 100;
  figures['triage.banking77.thresholdFor98'] = thresholdFor(scored, 0.98) ?? Number.NaN;
  figures['triage.banking77.temperature'] = trained.model.temperature;

  // Wall time depends on what else the machine runs; CPU time is this process's own work.
  const predictCpu = process.cpuUsage();
  const predictStart = performance.now();
  for (const t of test) predict(trained.model, t.text);
  figures['triage.banking77.predictMs'] = (performance.now() - predictStart) / test.length;
  const predictUsed = process.cpuUsage(predictCpu);
  figures['triage.banking77.predictCpuMs'] = (predictUsed.user + predictUsed.system) / 1000 / test.length;

  const file = gzipSync(
    serialiseBundle({
      version: 'bench',
      createdAt: new Date().toISOString(),
      source: { kind: 'csv', description: 'Banking77 train.csv' },
      fields: { category: trained.model },
      evaluation: {},
      skipped: {},
    }),
  );
  figures['triage.banking77.modelFileMB'] = file.length / 1024 / 1024;

  log(`  accuracy ${figures['triage.banking77.accuracyPct'].toFixed(2)} % (target ≥ 92), macro-F1 ${figures['triage.banking77.macroF1Pct'].toFixed(2)} %`);
  log(
    `  at the default threshold ${DEFAULT_MIN_CONFIDENCE}: precision ${figures['triage.banking77.precisionAtDefaultPct'].toFixed(2)} % (≥ 98), coverage ${figures['triage.banking77.coverageAtDefaultPct'].toFixed(2)} % (≥ 80)`,
  );
  log(
    `  training: final fit on 10,003 ${trained.seconds.finalFit.toFixed(1)} s wall (target ≤ 60); with the calibration round ${figures['triage.banking77.trainWallS'].toFixed(1)} s wall, ${cpuSeconds.toFixed(1)} s CPU`,
  );
  log(
    `  prediction with its explanation ${figures['triage.banking77.predictMs'].toFixed(3)} ms wall, ${figures['triage.banking77.predictCpuMs'].toFixed(3)} ms CPU per case (≤ 1)`,
  );
  log(`  model file ${figures['triage.banking77.modelFileMB'].toFixed(2)} MB gzip (≤ 10)`);
  return figures;
}
