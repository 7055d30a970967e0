/**
 * The subject-word index's words (functions/core/subject-words.ts) and its keys
 * (functions/adapters/keys.ts): what a case is indexed under, what a search looks up, and that a
 * search for any word of a subject finds that subject.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { subjectWordKey, subjectWordQuery } from '../../functions/adapters/keys.js';
import { MAX_INDEXED_WORDS, MAX_WORD_CHARS, searchTerms, subjectMatches, subjectWords } from '../../functions/core/subject-words.js';

describe('subject words', () => {
  it('are folded (case, accents, ß), distinct, without stop words or one-letter words', () => {
    expect(subjectWords('RE: The Printer on floor 3 is NOT printing — Drucker kaputt, café crème, Straße')).toEqual([
      'printer',
      'floor',
      'printing',
      'drucker',
      'kaputt',
      'cafe',
      'creme',
      'strasse',
    ]);
    expect(subjectWords('Invoice INVOICE invoice 404 error')).toEqual(['invoice', '404', 'error']);
  });

  it('cut spaceless scripts into pairs, and keep mixed runs apart', () => {
    expect(subjectWords('打印机坏了')).toEqual(['打印', '印机', '机坏', '坏了']);
    expect(subjectWords('USB打印机')).toEqual(['usb', '打印', '印机']);
    expect(subjectWords('Заказ не пришёл')).toEqual(['заказ', 'не', 'пришел']);
  });

  it('are at most MAX_INDEXED_WORDS, each at most MAX_WORD_CHARS characters, never holding the key separator', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400, unit: 'grapheme' }), (subject) => {
        const words = subjectWords(subject);
        expect(words.length).toBeLessThanOrEqual(MAX_INDEXED_WORDS);
        expect(new Set(words).size).toBe(words.length);
        for (const w of words) {
          expect([...w].length).toBeLessThanOrEqual(MAX_WORD_CHARS);
          expect(w).not.toMatch(/[#\s]/);
          expect(w).toBe(w.toLowerCase());
        }
      }),
    );
  });
});

describe('search terms', () => {
  it('match the last word as a prefix while it is being typed', () => {
    expect(searchTerms('paper jam prin')).toEqual([
      { word: 'paper', prefix: false },
      { word: 'jam', prefix: false },
      { word: 'prin', prefix: true },
    ]);
    expect(searchTerms('paper jam prin ')).toEqual([
      { word: 'paper', prefix: false },
      { word: 'jam', prefix: false },
      { word: 'prin', prefix: false },
    ]);
    // Two letters: whole-word only (a prefix query must name one index partition).
    expect(searchTerms('tv')).toEqual([{ word: 'tv', prefix: false }]);
    expect(searchTerms('the of and')).toEqual([]);
  });

  it('find a subject by any of its indexed words, whole or by a prefix of three or more letters (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200, unit: 'grapheme' }), fc.nat(), fc.nat(), (subject, pick, cut) => {
        const words = subjectWords(subject);
        fc.pre(words.length > 0);
        const word = words[pick % words.length]!;
        expect(subjectMatches(subject, searchTerms(`${word} `))).toBe(true);
        const chars = [...word];
        if (chars.length >= 3) expect(subjectMatches(subject, searchTerms(chars.slice(0, 3 + (cut % (chars.length - 2))).join('')))).toBe(true);
      }),
    );
  });

  it('require every word', () => {
    const subject = 'Printer on floor 3 jams';
    expect(subjectMatches(subject, searchTerms('printer jams'))).toBe(true);
    expect(subjectMatches(subject, searchTerms('printer toner'))).toBe(false);
    expect(subjectMatches(subject, searchTerms('PRINT'))).toBe(true);
    expect(subjectMatches(subject, searchTerms('print '))).toBe(false);
  });
});

describe('subject-word keys', () => {
  it('put a word under the partition of its first three characters, newest case last in the word', () => {
    expect(subjectWordKey('printer', '2026-05-01T09:00:00.000Z', '01JCASE')).toEqual({
      pk: 'WORD#pri',
      sk: 'printer#2026-05-01T09:00:00.000Z#01JCASE',
    });
    expect(subjectWordKey('打印', '2026-05-01T09:00:00.000Z', 'c')).toEqual({ pk: 'WORD#打印', sk: '打印#2026-05-01T09:00:00.000Z#c' });
  });

  it('look a whole word up by its own sort-key prefix, and a prefix by the letters typed', () => {
    expect(subjectWordQuery({ word: 'printer', prefix: false })).toEqual({ pk: 'WORD#pri', skPrefix: 'printer#' });
    expect(subjectWordQuery({ word: 'prin', prefix: true })).toEqual({ pk: 'WORD#pri', skPrefix: 'prin' });
    expect(subjectWordQuery({ word: 'tv', prefix: false })).toEqual({ pk: 'WORD#tv', skPrefix: 'tv#' });
    // A whole-word lookup never finds a longer word that starts with it.
    const printers = subjectWordKey('printers', '2026-05-01T09:00:00.000Z', 'c').sk;
    expect(printers.startsWith(subjectWordQuery({ word: 'printer', prefix: false }).skPrefix)).toBe(false);
  });
});
