/**
 * Language detection: how often a text is stamped with the wrong language, and how often it keeps
 * one at all, for bare ELD and for detectLanguage (ELD under the length, script and lead bars of
 * functions/core/normalise/language.ts). Over the labelled texts written for this (short subjects,
 * longer messages, and subjects held out from the choice of thresholds), and, given `--data-dir`,
 * over the 13,083 English banking77 queries in tickets_text/banking77.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { eld } from 'eld/extrasmall';
import { detectLanguage, loadLanguageDetector, textForDetection } from '../functions/core/normalise/language.js';
import { HELD_OUT_TEXTS, LONG_TEXTS, type LabelledText, SHORT_TEXTS } from '../test/support/language-samples.js';

interface Tally {
  texts: number;
  right: number;
  wrong: number;
  unknown: number;
  /** A few of the wrong answers, for the log. */
  examples: string[];
}

function tally(texts: readonly LabelledText[], detect: (text: string) => string | undefined): Tally {
  const t: Tally = { texts: texts.length, right: 0, wrong: 0, unknown: 0, examples: [] };
  for (const { language, text } of texts) {
    const found = detect(textForDetection(text, ''));
    if (found === undefined) t.unknown++;
    else if (found === language) t.right++;
    else {
      t.wrong++;
      if (t.examples.length < 6) t.examples.push(`"${text.slice(0, 40)}" ▶ ${found}`);
    }
  }
  return t;
}

const pct = (n: number, of: number) => `${((100 * n) / of).toFixed(1)} %`;

export async function runLanguageBench(log: (line: string) => void = console.log, options: { dataDir?: string } = {}): Promise<Record<string, number>> {
  await loadLanguageDetector();
  const sets: [string, readonly LabelledText[]][] = [
    ['short', SHORT_TEXTS],
    ['long', LONG_TEXTS],
    ['heldout', HELD_OUT_TEXTS],
  ];
  const bankingDir = options.dataDir ? join(options.dataDir, 'tickets_text', 'banking77') : undefined;
  if (bankingDir && existsSync(bankingDir)) {
    const rows = async (file: string) => parse(await readFile(join(bankingDir, file)), { columns: true }) as { text: string }[];
    const queries = [...(await rows('train.csv')), ...(await rows('test.csv'))];
    sets.push(['banking77', queries.map((q) => ({ language: 'en', text: q.text }))]);
  } else {
    log('banking77 not measured: pass --data-dir (or set CASEFLOW_DATA_DIR) to the folder holding tickets_text/banking77');
  }

  const figures: Record<string, number> = {};
  const detectors: [string, (text: string) => string | undefined][] = [
    ['eld', (text) => eld.detect(text).language || undefined],
    ['caseflow', (text) => detectLanguage(text).language],
  ];
  for (const [name, texts] of sets) {
    for (const [detector, detect] of detectors) {
      const started = performance.now();
      const t = tally(texts, detect);
      const ms = performance.now() - started;
      log(
        `${name.padEnd(9)} ${detector.padEnd(8)} ${t.texts} texts: right ${t.right} (${pct(t.right, t.texts)}), wrong ${t.wrong} (${pct(t.wrong, t.texts)}), ` +
          `unknown ${t.unknown}; ${((1000 * ms) / t.texts).toFixed(0)} µs a text${t.examples.length ? `; e.g. ${t.examples.join(', ')}` : ''}`,
      );
      figures[`language_${name}_${detector}_right_pct`] = (100 * t.right) / t.texts;
      figures[`language_${name}_${detector}_wrong_pct`] = (100 * t.wrong) / t.texts;
    }
  }
  return figures;
}
