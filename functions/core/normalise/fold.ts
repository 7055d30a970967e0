/**
 * Folding for name lookups: two spellings a person would call "the same name" fold to the same key,
 * so "Côte d'Ivoire", "COTE D IVOIRE" and "Cote-d'Ivoire" all find CI, "U.S.A." finds "USA", and a
 * Persian name typed on an Arabic keyboard finds the Persian spelling.
 */

/** Latin/Greek/Cyrillic combining accents only: stripping the vowel signs of Devanagari or the
 * (han)dakuten of Japanese kana would merge distinct words. */
const COMBINING_ACCENTS = /[\u0300-\u036f]/g;
/** Arabic diacritics (harakat, hamza and madda above/below), optional in everyday writing. */
const ARABIC_MARKS = /[\u064b-\u065f\u0670]/g;
/** Punctuation people add or leave out freely: dots in "U.S.", apostrophes, brackets, commas. */
// biome-ignore lint/suspicious/noMisleadingCharacterClass: the zero-width joiners and direction marks are listed one by one, to be removed on their own
const IGNORABLE = /[.'’‘`´"“”«»()[\]{},;:!?·・、。،\u200c\u200d\u200e\u200f]/g;
const SEPARATORS = /[\s\-‐‑–—_/\\&+]+/g;

export function foldForLookup(text: string): string {
  return (
    text
      .normalize('NFD')
      .replace(COMBINING_ACCENTS, '')
      .replace(ARABIC_MARKS, '')
      .normalize('NFC')
      .toLowerCase()
      .replace(/ß/g, 'ss')
      // Persian and Arabic keyboards give different code points for the same letters.
      .replace(/ي/g, 'ی')
      .replace(/ى/g, 'ی')
      .replace(/ك/g, 'ک')
      .replace(IGNORABLE, '')
      // Spaces and hyphens vary ("Baden Württemberg", "U. S. A."); the key ignores them.
      .replace(SEPARATORS, '')
  );
}

/** Collapses runs of whitespace and trims: the least change a free-text field always gets. */
export function tidy(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
