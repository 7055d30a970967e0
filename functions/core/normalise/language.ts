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

/**
 * The 183 ISO 639-1 codes: a closed list (the last addition was in 2009). Probing ICU for every
 * two-letter pair instead costs ~150 ms, because each miss is slow.
 */
const ISO_639_1 = new Set(
  (
    'aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee el en eo es ' +
    'et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj ' +
    'kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ' +
    'ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti ' +
    'tk tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu'
  ).split(' '),
);

const englishNames = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' });

/** The ISO 639-1 code of a tag, in its canonical form (`deu`, `ger`, `de-AT` ▶ `de`; `iw` ▶ `he`). */
function canonicalIso6391(tag: string): string | undefined {
  try {
    const language = new Intl.Locale(Intl.getCanonicalLocales(tag)[0]!).language;
    return ISO_639_1.has(language) ? language : undefined;
  } catch {
    return undefined;
  }
}

let languageNameIndex: Map<string, string> | undefined;

/** Built on first use (~50 ms): names of every ISO 639-1 language in NAME_LOCALES and in itself. */
function languageByName(name: string): string | undefined {
  if (!languageNameIndex) {
    const index = new Map<string, string>();
    const add = (display: string | undefined, code: string) => {
      // First writer wins: a name shared by two languages across locales is rare, and the earlier
      // locales in NAME_LOCALES are the ones more of our customers use.
      if (display && !index.has(foldForLookup(display))) index.set(foldForLookup(display), code);
    };
    for (const locale of NAME_LOCALES) {
      const names = new Intl.DisplayNames([locale], { type: 'language', fallback: 'none' });
      for (const code of ISO_639_1) add(names.of(code), code);
    }
    // Endonyms: "Deutsch", "Español", "中文", "فارسی".
    for (const code of ISO_639_1) {
      try {
        add(new Intl.DisplayNames([code], { type: 'language', fallback: 'none' }).of(code), code);
      } catch {
        // A code ICU has no locale data for keeps its names in the other locales.
      }
    }
    for (const [alias, code] of Object.entries(LANGUAGE_NAME_ALIASES)) index.set(foldForLookup(alias), code);
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
   * 0..1: evidence × separation. Evidence is how much text there was (full from 25 bytes of
   * letters: ~25 Latin, ~12 Cyrillic or Arabic, ~8 CJK characters); separation is how far the best
   * language leads the runner-up in ELD's n-gram score (full from a 2 % lead: related languages
   * such as ru/uk sit that close even on clear sentences). At the default 0.5, 99.7 % of the 13,083
   * banking77 queries read as English and 0.07 % (nine queries of 2–4 words) as another language.
   */
  confidence: number;
  evidence: number;
  separation: number;
  /** Why the result is undetermined, when it is. */
  reason?: string;
}

export interface DetectLanguageOptions {
  /** Minimum confidence to accept a detection (default DEFAULT_MIN_LANGUAGE_CONFIDENCE). */
  minConfidence?: number;
}

export const DEFAULT_MIN_LANGUAGE_CONFIDENCE = 0.5;

/** Letter bytes (UTF-8) for full evidence: ELD reads byte n-grams, so a CJK character counts 3. */
const FULL_EVIDENCE_BYTES = 25;
/** Relative lead over the runner-up for full separation. */
const FULL_SEPARATION_LEAD = 0.02;
/**
 * ELD reports each language's score squashed as x / (x + 25) (LanguageResult.js); related languages
 * (ru/uk/bg, es/pt) all land near 0.8 there, so the lead is measured on the unsquashed x.
 */
const ELD_SCORE_SCALE = 25;
const unsquash = (score: number) => (score >= 1 ? Number.MAX_VALUE : (ELD_SCORE_SCALE * score) / (1 - score));
const round3 = (n: number) => Math.round(n * 1000) / 1000;
const utf8 = new TextEncoder();

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
  return (
    `${subject ?? ''}\n${body}`
      // ASCII-only patterns: CJK text has no spaces, so `\S+` would swallow the sentence around a URL.
      .replace(/\b(?:https?:\/\/|www\.)[\x21-\x7e]+/gi, ' ')
      .replace(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g, ' ')
      .replace(/[A-Za-z0-9_-]*\d[A-Za-z0-9_-]*/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

export function detectLanguage(text: string, options: DetectLanguageOptions = {}): LanguageDetection {
  const minConfidence = options.minConfidence ?? DEFAULT_MIN_LANGUAGE_CONFIDENCE;
  // ELD reads the first 1000 characters; so do we, explicitly, so the evidence matches what was read.
  const sample = text.slice(0, 1000);
  const letters = (sample.match(/\p{L}/gu) ?? []).join('');
  const undetermined = (reason: string, bestGuess?: string, evidence = 0, separation = 0): LanguageDetection => ({
    language: undefined,
    bestGuess,
    confidence: round3(evidence * separation),
    evidence,
    separation,
    reason,
  });
  if (!letters) return undetermined('no text to detect from');

  const result = eld.detect(sample);
  const bestGuess = result.language || undefined;
  if (!bestGuess) return undetermined('no language recognised');
  const [best = 0, second = 0] = Object.values(result.getScores())
    .sort((a, b) => b - a)
    .map(unsquash);
  const evidence = round3(Math.min(1, utf8.encode(letters).length / FULL_EVIDENCE_BYTES));
  const separation = round3(Math.min(1, best > 0 ? (best - second) / best / FULL_SEPARATION_LEAD : 0));
  const confidence = round3(evidence * separation);
  // isReliable() checks there are enough n-grams and that the score is typical for the language
  // (its own margin check compares a language id with a score, hence our separation).
  if (!result.isReliable()) return undetermined('too little text to be sure', bestGuess, evidence, separation);
  if (confidence < minConfidence) {
    return undetermined(`confidence ${confidence} below ${minConfidence}`, bestGuess, evidence, separation);
  }
  return { language: bestGuess, bestGuess, confidence, evidence, separation };
}
