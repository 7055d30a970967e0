/**
 * Text as the triage model sees it, the same for every script. Customers write in Latin, Cyrillic,
 * Persian and Chinese; the features must not assume spaces between words (Chinese has none) nor one
 * spelling of a letter (Persian typed on an Arabic keyboard, "é" typed as "e").
 *
 * - Normalisation: NFKC (full-width forms, ligatures), lower case, combining accents removed from
 *   Latin, Greek and Cyrillic letters only (vowel signs of other scripts carry meaning), Arabic
 *   diacritics and tatweel removed, Arabic yeh/kaf mapped to their Persian forms, the zero-width
 *   non-joiner of Persian compounds dropped (people write "می‌خواهم" with and without it), digits
 *   mapped to 0 (an amount or a date names no category; "0" still says "a number was here").
 * - Words: runs of letters, marks and digits. Scripts written without spaces (Han, kana, Thai, Lao,
 *   Khmer, Myanmar) are split into single characters, so their "word" n-grams are character n-grams.
 */

const LATIN_GREEK_CYRILLIC_ACCENT = /([\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}])[\u0300-\u036f]+/gu;
const ARABIC_MARKS = /[\u064b-\u065f\u0670\u0640]/g;
const ZERO_WIDTH = /[\u200b-\u200f\u2060\ufeff]/g;
const WORD = /[\p{L}\p{M}\p{N}]+/gu;
/** Scripts with no spaces between words: each character is a token. */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
const UNSPACED_RUNS = /([\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}])/u;

export function normaliseText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(LATIN_GREEK_CYRILLIC_ACCENT, '$1')
    .normalize('NFKC')
    .toLowerCase()
    .replace(ARABIC_MARKS, '')
    .replace(/[يى]/g, 'ی')
    .replace(/ك/g, 'ک')
    .replace(/ة/g, 'ه')
    .replace(ZERO_WIDTH, '')
    .replace(/\p{Nd}/gu, '0');
}

/** A token of the text and where it came from (for explanations: "the words that weighed most"). */
export interface Token {
  /** The normalised token. */
  text: string;
  /** True for a single character of a script written without spaces. */
  unspaced: boolean;
}

/** The normalised words of a text, unspaced scripts split into characters. */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  for (const match of normaliseText(text).matchAll(WORD)) {
    const word = match[0];
    if (!UNSPACED.test(word)) {
      out.push({ text: word, unspaced: false });
      continue;
    }
    // "退款申请ok" ▶ 退 款 申 请 ok: split at every unspaced character, keep the rest whole.
    for (const piece of word.split(UNSPACED_RUNS)) {
      if (piece === '') continue;
      out.push({ text: piece, unspaced: UNSPACED.test(piece) });
    }
  }
  return out;
}
