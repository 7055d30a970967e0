/**
 * Tone benchmark (`npm run bench -- tone`): how well each tone scorer tells negative messages from
 * the rest, per language, on a small labelled sample written for this project
 * (test/support/tone-samples.ts: ten negative and ten other messages per language). A message
 * counts as negative when its score is below 0, which is when prioritisation adds points.
 *
 * Measured per language: the English AFINN scorer (what every language got before: "read as
 * English"), and the translated AFINN lexicon matched exactly, with negation, with stems, and with
 * Chinese single characters. The variant shipped per language is BEST_OPTIONS in functions/core/tone.ts.
 */
import type { BenchOptions } from '../bin/bench.js';
import { scoreTone } from '../functions/core/priority.js';
import { BEST_OPTIONS, LEXICON_LANGUAGES, type MatchOptions, buildLexicon, loadRawLexicon, scoreToneIn } from '../functions/core/tone.js';
import { TONE_SAMPLES } from '../test/support/tone-samples.js';

interface Tally {
  accuracy: number;
  /** Negative messages found. */
  recall: number;
  /** Other messages scored negative. */
  falseAlarms: number;
}

function tally(samples: typeof TONE_SAMPLES, score: (text: string) => number): Tally {
  let right = 0;
  let found = 0;
  let alarms = 0;
  const negatives = samples.filter((s) => s.negative).length;
  for (const s of samples) {
    const negative = score(s.text) < 0;
    if (negative === s.negative) right++;
    if (negative && s.negative) found++;
    if (negative && !s.negative) alarms++;
  }
  return { accuracy: right / samples.length, recall: found / negatives, falseAlarms: alarms / (samples.length - negatives) };
}

const show = (t: Tally) =>
  `accuracy ${(t.accuracy * 100).toFixed(0).padStart(3)} %, negatives found ${(t.recall * 100).toFixed(0).padStart(3)} %, false alarms ${(t.falseAlarms * 100).toFixed(0).padStart(3)} %`;

export async function runToneBench(log: (line: string) => void, _options: BenchOptions): Promise<Record<string, number>> {
  const figures: Record<string, number> = {};
  const en = TONE_SAMPLES.filter((s) => s.language === 'en');
  const afinn = tally(en, (t) => scoreTone(t).score);
  log(`en  AFINN-165 (sentiment package):      ${show(afinn)}`);
  figures['tone.en.accuracyPct'] = afinn.accuracy * 100;
  const variants: [string, MatchOptions][] = [
    ['exact words and phrases', { stems: false, negation: false, singleCharacters: false }],
    ['+ negation', { stems: false, negation: true, singleCharacters: false }],
    ['+ negation + stems', { stems: true, negation: true, singleCharacters: false }],
    ['+ negation + single characters', { stems: false, negation: true, singleCharacters: true }],
  ];
  for (const language of LEXICON_LANGUAGES) {
    const samples = TONE_SAMPLES.filter((s) => s.language === language);
    log(`${language}  English AFINN (before):              ${show(tally(samples, (t) => scoreTone(t).score))}`);
    for (const [name, options] of variants) {
      if (language === 'zh' && options.stems) continue;
      if (language !== 'zh' && options.singleCharacters) continue;
      const lexicon = buildLexicon(language, await loadRawLexicon(language), options);
      const t = tally(samples, (text) => scoreToneIn(text, lexicon).score);
      const chosen = JSON.stringify(options) === JSON.stringify(BEST_OPTIONS[language]);
      log(`${language}  translated AFINN, ${name.padEnd(30)} ${show(t)}${chosen ? '  ◀ shipped' : ''}`);
      if (chosen) figures[`tone.${language}.accuracyPct`] = t.accuracy * 100;
    }
  }
  return figures;
}
