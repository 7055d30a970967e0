/**
 * Words of a case's subject, as the subject-word index keeps them and a search asks for them
 * (docs/console.md#search). DynamoDB has no full-text search: each case writes one small item per
 * distinct word of its subject, with the case (functions/adapters/keys.ts, `subjectWordKey`), and a
 * search reads the items of the words it was given. Pure.
 *
 * A word is folded the way people expect a search to forgive: lower case, accents off (`Café` ▶
 * `cafe`, `Straße` ▶ `strasse`). Stop words and one-letter words are left out (they would match
 * most cases and cost a write each). Scripts written without spaces (Chinese, Japanese) are cut into
 * overlapping pairs of characters, so a two-character word found anywhere in a run matches.
 */

/** At most this many words of a subject are indexed: the write cost per case is bounded. */
export const MAX_INDEXED_WORDS = 16;
/** Longer words are cut to this many characters (keys stay small; nobody types more to find one). */
export const MAX_WORD_CHARS = 40;
/** Words shorter than this are not indexed (in scripts with spaces). */
export const MIN_WORD_CHARS = 2;
/** The last word of a query of at least this many characters also finds longer words it starts ("prin" ▶ "printer"). */
export const MIN_PREFIX_CHARS = 3;
/** At most this many words of a query are looked up. */
export const MAX_QUERY_WORDS = 8;

const STOP_WORDS = new Set(
  [
    // English
    'the an and or of to in on for with is are was were be been my your our their it its this that these those at by from as',
    'not no re fw fwd me we you he she they us them please can cant cannot how what why when where who do does did has have had',
    'am will would should could get got about into out up so if but',
    // German
    'der die das den dem des und oder ist sind ein eine einen einem einer mit fur von zu zum zur im auf nicht ich mein meine',
    'bitte wir sie es aw wg bei aus nach wie was',
    // French
    'le la les un une et ou de des du est sont pour avec dans sur pas je mon ma mes nous vous il elle au aux ce cette tr',
    // Spanish, Italian, Portuguese, Dutch (the most common only)
    'el los las y del es para con en por mi mis su sus una lo il di che per non sono da os em um uma het een van niet ik',
  ]
    .join(' ')
    .split(' '),
);

const SPACELESS = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
const WORD_RUNS = /[\p{L}\p{N}\p{M}]+/gu;

/** Lower case, accents off, `ß` ▶ `ss`: how a word is kept and looked up. */
export function foldWord(word: string): string {
  return word.normalize('NFD').replace(/\p{M}/gu, '').normalize('NFC').toLowerCase().replace(/ß/g, 'ss');
}

/** The words of a text in order, folded, each once; spaceless scripts as pairs of characters. */
function words(text: string, options: { stopWords: boolean }): string[] {
  const out: string[] = [];
  const add = (w: string) => {
    const cut = [...w].slice(0, MAX_WORD_CHARS).join('');
    if (!out.includes(cut)) out.push(cut);
  };
  for (const match of foldWord(text).matchAll(WORD_RUNS)) {
    // A run may mix a spaced script with a spaceless one (`USB打印机`): each part on its own.
    for (const part of match[0].match(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]+|[^\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]+/gu) ??
      []) {
      if (SPACELESS.test(part)) {
        const chars = [...part];
        if (chars.length === 1) add(part);
        for (let i = 0; i + 1 < chars.length; i++) add(chars[i]! + chars[i + 1]!);
      } else if ([...part].length >= MIN_WORD_CHARS && !(options.stopWords && STOP_WORDS.has(part))) {
        add(part);
      }
    }
  }
  return out;
}

/** The words a case's subject is indexed under: distinct, folded, without stop words, at most MAX_INDEXED_WORDS. */
export function subjectWords(subject: string): string[] {
  return words(subject, { stopWords: true }).slice(0, MAX_INDEXED_WORDS);
}

/** One word of a search: matched whole, or (the last word of a query) as the start of a word. */
export interface SearchTerm {
  word: string;
  prefix: boolean;
}

/**
 * A search's terms: its words as subjectWords makes them, each matched whole except the last, which
 * also matches words it starts when it has MIN_PREFIX_CHARS characters or more and the query does
 * not end with a space (someone still typing it). Empty when nothing searchable is left (stop words only).
 */
export function searchTerms(query: string): SearchTerm[] {
  const found = words(query, { stopWords: true }).slice(0, MAX_QUERY_WORDS);
  const typing = !/\s$/.test(query);
  return found.map((word, i) => ({
    word,
    prefix: typing && i === found.length - 1 && !SPACELESS.test(word) && [...word].length >= MIN_PREFIX_CHARS,
  }));
}

/** Whether a subject holds every term: what a search checks on each case its index lookup found. */
export function subjectMatches(subject: string, terms: readonly SearchTerm[]): boolean {
  const have = words(subject, { stopWords: false });
  return terms.every((t) => (t.prefix ? have.some((w) => w.startsWith(t.word)) : have.includes(t.word)));
}
