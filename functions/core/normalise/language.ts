// ELD (Efficient Language Detector): n-gram detector for 60 languages, accurate on short texts, no
// dependencies. The "extrasmall" database (~1 MB) keeps the Lambda bundle and its 35 MB heap small
// and scored within 0.1 % of the larger ones on our samples (see test/unit/normalise.test.ts).
import { eld } from 'eld/extrasmall';
import { foldForLookup, tidy } from './fold.js';
import { keptAsGiven, recognised, type FieldOutcome } from './outcome.js';

/**
 * Language ▶ ISO 639-1 (`de`). A given tag is normalised (`de-DE`, `deu`, `ger`, `German`,
 * `Deutsch` ▶ `de`); with no tag, the language is detected from the text and kept only when the
 * detector is confident, since a wrong language sends a case to an agent who cannot read it.
 *
 * Codes and names come from the runtime's ICU data (CLDR, the Unicode consortium's locale data,
 * built into Node): `Intl.getCanonicalLocales` maps 639-2/639-3 codes and deprecated tags to their
 * 639-1 form, `Intl.DisplayNames` names every language in every locale. No bundle cost.
 */

/** Languages whose names we recognise when written as a name ("allemand", "Немецкий", "德语"). */
const NAME_LOCALES = ['en', 'de', 'fr', 'es', 'it', 'pt', 'nl', 'ru', 'uk', 'pl', 'tr', 'ar', 'fa', 'zh', 'ja', 'ko', 'hi', 'sv'] as const;

/** Names ICU does not give but people write. */
const LANGUAGE_NAME_ALIASES: Record<string, string> = { Farsi: 'fa', Mandarin: 'zh', Cantonese: 'zh', Flemish: 'nl' };

const englishNames = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' });

/** A two-letter code ICU knows as a language, in its canonical form (`iw` ▶ `he`). */
function canonicalIso6391(code: string): string | undefined {
  try {
    const language = new Intl.Locale(Intl.getCanonicalLocales(code)[0]!).language;
    return /^[a-z]{2}$/.test(language) && englishNames.of(language) ? language : undefined;
  } catch {
    return undefined;
  }
}

let languageNameIndex: Map<string, string> | undefined;

function languageByName(name: string): string | undefined {
  if (!languageNameIndex) {
    const index = new Map<string, string>();
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    const codes: string[] = [];
    for (const a of letters) for (const b of letters) if (canonicalIso6391(a + b) === a + b) codes.push(a + b);
    for (const locale of NAME_LOCALES) {
      const names = new Intl.DisplayNames([locale], { type: 'language', fallback: 'none' });
      for (const code of codes) {
        const display = names.of(code);
        // First writer wins: a name shared by two languages across locales is rare and the
        // earlier locales in NAME_LOCALES are the ones more of our customers use.
        if (display && !index.has(foldForLookup(display))) index.set(foldForLookup(display), code);
      }
    }
    for (const [name, code] of Object.entries(LANGUAGE_NAME_ALIASES)) index.set(foldForLookup(name), code);
    languageNameIndex = index;
  }
  return languageNameIndex.get(foldForLookup(name));
}

export function normaliseLanguageTag(input: string | undefined): FieldOutcome {
  if (input === undefined) return { value: undefined, recognised: true };
  const given = tidy(input);
  if (!given) return keptAsGiven(undefined, 'empty language removed');

  const tag = given.replace(/_/g, '-');
  if (/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(tag)) {
    const code = canonicalIso6391(tag);
    if (code) return recognised(code, code === tag.toLowerCase() ? undefined : `language tag ${given}`);
    // A real ISO 639-2/3 language without a 639-1 code (haw, yue…) stays as its code.
    const primary = tag.split('-')[0]!.toLowerCase();
    if (primary.length === 3 && englishNames.of(primary)) {
      return recognised(primary, `${primary} (${englishNames.of(primary)}) has no ISO 639-1 code`);
    }
  }
  const byName = languageByName(given);
  if (byName) return recognised(byName, `language name "${given}"`);
  return keptAsGiven(given, `unknown language "${given}" kept as given`);
}

// --- detection -------------------------------------------------------------------------------

export interface LanguageDetection {
  /** ISO 639-1, or undefined when the detector is not confident enough to say. */
  language: string | undefined;
  /** The detector's best guess even when below the threshold (for the record, never for routing). */
  bestGuess: string | undefined;
  /**
   * How far the best language leads the runner-up, relative to its own score: 0 is a tie, 1 means
   * no other language scored at all. On the banking77 queries correct answers lead by 0.12 or more
   * in 99 % of cases; the wrong ones (very short texts) lead by less than 0.06.
   */
  confidence: number;
  /** Why the result is undetermined, when it is. */
  reason?: string;
}

export interface DetectLanguageOptions {
  /** Minimum confidence to accept a detection (default 0.06). */
  minConfidence?: number;
}

export const DEFAULT_MIN_LANGUAGE_CONFIDENCE = 0.06;

/**
 * What the detector should read: quoted replies and signatures are someone else's words, and URLs,
 * addresses, reference numbers and order codes carry no language but do carry n-grams.
 */
export function textForDetection(subject: string | undefined, description: string | undefined): string {
  const body = (description ?? '')
    .split(/\r?\n/)
    .filter((line) => !/^\s*>/.test(line))
    .join('\n')
    .split(/^-- ?$/m)[0]!;
  return `${subject ?? ''}\n${body}`
    // ASCII-only patterns: CJK text has no spaces, so `\S+` would swallow the sentence around a URL.
    .replace(/\b(?:https?:\/\/|www\.)[\x21-\x7e]+/gi, ' ')
    .replace(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g, ' ')
    .replace(/[A-Za-z0-9_-]*\d[A-Za-z0-9_-]*/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function detectLanguage(text: string, options: DetectLanguageOptions = {}): LanguageDetection {
  const minConfidence = options.minConfidence ?? DEFAULT_MIN_LANGUAGE_CONFIDENCE;
  // ELD reads the first 1000 characters; so do we, explicitly, so the record matches what was read.
  const sample = text.slice(0, 1000);
  if (!/\p{L}/u.test(sample)) return { language: undefined, bestGuess: undefined, confidence: 0, reason: 'no text to detect from' };

  const result = eld.detect(sample);
  const scores = Object.values(result.getScores()).sort((a, b) => b - a);
  const [best = 0, second = 0] = scores;
  const confidence = best > 0 ? Math.round(((best - second) / best) * 1000) / 1000 : 0;
  const bestGuess = result.language || undefined;
  if (!bestGuess) return { language: undefined, bestGuess, confidence: 0, reason: 'no language recognised' };
  // isReliable() checks there is enough text (n-grams) and that the score is typical for that
  // language; its own margin check compares the wrong values (a language id with a score), hence ours.
  if (!result.isReliable()) return { language: undefined, bestGuess, confidence, reason: 'too little text to be sure' };
  if (confidence < minConfidence) {
    return { language: undefined, bestGuess, confidence, reason: `confidence ${confidence} below ${minConfidence}` };
  }
  return { language: bestGuess, bestGuess, confidence };
}
