// ELD (Efficient Language Detector): n-gram detector for 60 languages, accurate on short texts, no
// dependencies. The "extrasmall" database (~1 MB) keeps the Lambda bundle and its 35 MB heap small
// and scored within 0.1 % of the larger ones on our samples (see test/unit/normalise.test.ts).
// It is imported on first need (loadLanguageDetector), not with this module: building its database
// was most of the stamp and api functions' cold start (docs/costs.md#cold-start), and most cases
// name their language or are too short to detect one.
import type { eld as Eld } from 'eld/extrasmall';
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
  /** ISO 639-1, or undefined when the text is too short or too ambiguous to tell. */
  language: string | undefined;
  /** The detector's best guess even when it is not accepted (for the record, never for routing). */
  bestGuess: string | undefined;
  /**
   * 0..1: how far the text clears the bar for its length. Half the lead over the runner-up that its
   * length requires gives 0.25, exactly the required lead 0.5 (accepted at the default), twice it 1.
   * A script only one language writes (Greek, Hebrew, Hangul, kana…) gives 1.
   */
  confidence: number;
  /** Letters read, a Han character counting LETTERS_PER_HAN (it carries about a word). */
  letters: number;
  /** How far the best language leads the runner-up in ELD's n-gram score, relative to the best (0..1). */
  lead: number;
  /** The lead this length requires (see REQUIRED_LEAD); undefined when the script decided. */
  requiredLead?: number;
  /** Set when the script alone named the language. */
  script?: string;
  /** Why the result is undetermined, when it is. */
  reason?: string;
}

export interface DetectLanguageOptions {
  /** Minimum confidence to accept a detection (default DEFAULT_MIN_LANGUAGE_CONFIDENCE: exactly the required lead). */
  minConfidence?: number;
}

export const DEFAULT_MIN_LANGUAGE_CONFIDENCE = 0.5;

/**
 * What ELD can tell, measured on a labelled set of 201 support subjects of one to five words and 42
 * longer messages in 24 languages (test/support/language-samples.ts) and on the 13,083 English
 * banking77 queries: bare ELD named the wrong language for 24 of the 201 subjects (12 %), among them
 * "Password reset" ▶ Italian, "Important message" and "Urgent question" ▶ French, "Возврат денег" ▶
 * Serbian. Its own scores do not tell those apart from right answers, but the lead of the best
 * language over the runner-up does, once it is weighed against the length of the text:
 *
 * - fewer than MIN_LETTERS letters: never (a word or two is shared by too many languages);
 * - up to SHORT_TEXT_LETTERS: the best language must lead by 40 % (the wrong answers above led by
 *   2–37 %; right ones on subjects this short mostly lead by more);
 * - up to LONG_TEXT_LETTERS: by 5 %;
 * - longer: by 1 % (related languages, ru/bg/uk/sr or hi/mr, sit that close even on clear sentences:
 *   a 42-letter Russian sentence leads Bulgarian by 1.4 %).
 *
 * `npm run bench -- language` prints the figures; the documentation records them.
 */
export const MIN_LETTERS = 10;
export const SHORT_TEXT_LETTERS = 18;
export const LONG_TEXT_LETTERS = 40;
export const REQUIRED_LEAD = { short: 0.4, medium: 0.05, long: 0.01 } as const;
/** A Han character is a syllable and mostly a word: it counts as three letters (as it does in ELD's UTF-8 n-grams). */
const LETTERS_PER_HAN = 3;

/**
 * Scripts that only one language among ELD's writes: the script itself says the language, however
 * short the text. Cyrillic, Arabic, Devanagari, Latin and Han are shared, and go to the detector.
 */
const SINGLE_LANGUAGE_SCRIPTS: readonly { script: string; pattern: RegExp; language: string }[] = [
  { script: 'Greek', pattern: /\p{Script=Greek}/u, language: 'el' },
  { script: 'Hebrew', pattern: /\p{Script=Hebrew}/u, language: 'he' },
  { script: 'Hangul', pattern: /\p{Script=Hangul}/u, language: 'ko' },
  { script: 'Armenian', pattern: /\p{Script=Armenian}/u, language: 'hy' },
  { script: 'Georgian', pattern: /\p{Script=Georgian}/u, language: 'ka' },
  { script: 'Thai', pattern: /\p{Script=Thai}/u, language: 'th' },
  { script: 'Lao', pattern: /\p{Script=Lao}/u, language: 'lo' },
  { script: 'Gujarati', pattern: /\p{Script=Gujarati}/u, language: 'gu' },
  { script: 'Gurmukhi', pattern: /\p{Script=Gurmukhi}/u, language: 'pa' },
  { script: 'Oriya', pattern: /\p{Script=Oriya}/u, language: 'or' },
  { script: 'Tamil', pattern: /\p{Script=Tamil}/u, language: 'ta' },
  { script: 'Telugu', pattern: /\p{Script=Telugu}/u, language: 'te' },
  { script: 'Kannada', pattern: /\p{Script=Kannada}/u, language: 'kn' },
  { script: 'Malayalam', pattern: /\p{Script=Malayalam}/u, language: 'ml' },
];
const HAN = /\p{Script=Han}/u;
const KANA = /[\p{Script=Hiragana}\p{Script=Katakana}]/u;

/**
 * ELD reports each language's score squashed as x / (x + 25) (LanguageResult.js); related languages
 * (ru/uk/bg, es/pt) all land near 0.8 there, so the lead is measured on the unsquashed x.
 */
const ELD_SCORE_SCALE = 25;
const unsquash = (score: number) => (score >= 1 ? Number.MAX_VALUE : (ELD_SCORE_SCALE * score) / (1 - score));
const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** The lead over the runner-up a text of this many letters needs, or undefined when it is too short for any. */
export function requiredLead(letters: number): number | undefined {
  if (letters < MIN_LETTERS) return undefined;
  if (letters < SHORT_TEXT_LETTERS) return REQUIRED_LEAD.short;
  return letters < LONG_TEXT_LETTERS ? REQUIRED_LEAD.medium : REQUIRED_LEAD.long;
}

interface ScriptCount {
  /** Letters, a Han character counting LETTERS_PER_HAN. */
  letters: number;
  /** The language the script alone names, when one does. */
  byScript?: { script: string; language: string };
}

/**
 * Counts the letters and finds a script that names the language by itself: one written only by one
 * language, over half the letters, or kana (Japanese) with Han making up half the letters or more.
 */
function countScripts(chars: readonly string[]): ScriptCount {
  let han = 0;
  let kana = 0;
  const single = new Array<number>(SINGLE_LANGUAGE_SCRIPTS.length).fill(0);
  for (const ch of chars) {
    // Basic Latin to Latin Extended-B: most letters of most texts, settled without a regex.
    if (ch.codePointAt(0)! < 0x250) continue;
    if (HAN.test(ch)) han++;
    else if (KANA.test(ch)) kana++;
    else {
      const i = SINGLE_LANGUAGE_SCRIPTS.findIndex((s) => s.pattern.test(ch));
      if (i >= 0) single[i]!++;
    }
  }
  const letters = chars.length + han * (LETTERS_PER_HAN - 1);
  if (chars.length < 2) return { letters };
  if (kana > 0 && kana + han >= chars.length / 2) return { letters, byScript: { script: 'Kana', language: 'ja' } };
  const top = single.indexOf(Math.max(...single));
  if (single[top]! >= chars.length / 2)
    return { letters, byScript: { script: SINGLE_LANGUAGE_SCRIPTS[top]!.script, language: SINGLE_LANGUAGE_SCRIPTS[top]!.language } };
  return { letters };
}

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

let detector: typeof Eld | undefined;
let loading: Promise<void> | undefined;

/**
 * Imports the detector (once per process; later calls return at once). Call it before
 * `detectLanguage` or `normaliseCase` when `needsLanguageDetection` says a case needs it.
 */
export function loadLanguageDetector(): Promise<void> {
  loading ??= import('eld/extrasmall').then(
    (module) => {
      detector = module.eld;
    },
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}

/** True once `loadLanguageDetector` has finished. */
export function languageDetectorLoaded(): boolean {
  return detector !== undefined;
}

/**
 * Whether normalising a case with this language tag and text will run the detector: the tag is
 * missing or not a language, and the text has letters to detect from.
 */
export function needsLanguageDetection(language: string | undefined, text: string): boolean {
  if (language !== undefined) {
    const tag = normaliseLanguageTag(language);
    if (tag.recognised && tag.value) return false;
  }
  return /\p{L}/u.test(text.slice(0, 1000));
}

export function detectLanguage(text: string, options: DetectLanguageOptions = {}): LanguageDetection {
  const minConfidence = options.minConfidence ?? DEFAULT_MIN_LANGUAGE_CONFIDENCE;
  // ELD reads the first 1000 characters; so do we, explicitly, so the count matches what was read.
  const sample = text.slice(0, 1000);
  const chars = sample.match(/\p{L}/gu) ?? [];
  const { letters, byScript } = countScripts(chars);
  const undetermined = (reason: string, bestGuess?: string, lead = 0, required?: number): LanguageDetection => ({
    language: undefined,
    bestGuess,
    confidence: required ? round3(Math.min(1, lead / required / 2)) : 0,
    letters,
    lead: round3(lead),
    ...(required !== undefined ? { requiredLead: required } : {}),
    reason,
  });
  if (chars.length === 0) return undetermined('no text to detect from');
  if (byScript) return { language: byScript.language, bestGuess: byScript.language, confidence: 1, letters, lead: 1, script: byScript.script };
  if (!detector) throw new Error('the language detector is not loaded: await loadLanguageDetector() before detecting a language');

  const result = detector.detect(sample);
  const bestGuess = result.language || undefined;
  if (!bestGuess) return undetermined('no language recognised');

  const [best = 0, second = 0] = Object.values(result.getScores())
    .sort((a, b) => b - a)
    .map(unsquash);
  const lead = best > 0 ? (best - second) / best : 0;
  const required = requiredLead(letters);
  if (required === undefined) return undetermined(`too little text to tell (${letters} letters, ${MIN_LETTERS} needed)`, bestGuess, lead);
  // isReliable() checks there are enough n-grams and that the score is typical for the language
  // (its own margin check compares a language id with a score, hence our lead).
  if (!result.isReliable()) return undetermined('the text does not read like any language the detector knows well', bestGuess, lead, required);
  const confidence = round3(Math.min(1, lead / required / 2));
  if (confidence < minConfidence) {
    return undetermined(
      `${bestGuess} leads the runner-up by ${Math.round(lead * 100)} %, ${Math.round(required * 100)} % needed at this length`,
      bestGuess,
      lead,
      required,
    );
  }
  return { language: bestGuess, bestGuess, confidence, letters, lead: round3(lead), requiredLead: required };
}
