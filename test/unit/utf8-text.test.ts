/**
 * Request bodies decoded so that bytes which are not UTF-8 stay visible (functions/http/api-gateway.ts):
 * the decoder agrees with the WHATWG decoder on every well-formed input, keeps every byte of an
 * ill-formed one, and the check names each field holding such text.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../functions/core/errors.js';
import { assertWellFormedText, decodeUtf8KeepingErrors, illFormedFields, isWellFormedText } from '../../functions/http/api-gateway.js';

const fatal = new TextDecoder('utf-8', { fatal: true });

/** The bytes back: a U+DC80..U+DCFF lone surrogate is the byte it stands for, anything else UTF-8. */
function encodeBack(text: string): Buffer {
  const parts: Buffer[] = [];
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    parts.push(ch.length === 1 && code >= 0xdc80 && code <= 0xdcff ? Buffer.from([code - 0xdc00]) : Buffer.from(ch, 'utf8'));
  }
  return Buffer.concat(parts);
}

/** Bytes near UTF-8: valid text, broken sequences, stray continuation bytes, overlongs, surrogates. */
const nearlyUtf8 = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 4 }).map((s) => [...Buffer.from(s, 'utf8')]),
      fc.uint8Array({ maxLength: 4 }).map((a) => [...a]),
      fc.constantFrom([0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0x80], [0xff], [0xef, 0xbf, 0xbd]),
    ),
    { maxLength: 12 },
  )
  .map((chunks) => Uint8Array.from(chunks.flat()));

describe('decodeUtf8KeepingErrors', () => {
  it('property: well-formed exactly when UTF-8, equal to the standard decoder then, and lossless always', () => {
    fc.assert(
      fc.property(nearlyUtf8, (bytes) => {
        const text = decodeUtf8KeepingErrors(bytes);
        let standard: string | undefined;
        try {
          standard = fatal.decode(bytes);
        } catch {
          standard = undefined;
        }
        expect(isWellFormedText(text)).toBe(standard !== undefined);
        if (standard !== undefined) expect(text).toBe(standard);
        expect(encodeBack(text).equals(Buffer.from(bytes))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps a typed U+FFFD as text', () => {
    expect(decodeUtf8KeepingErrors(Buffer.from('a�b', 'utf8'))).toBe('a�b');
    expect(isWellFormedText('a�b')).toBe(true);
  });
});

describe('illFormedFields', () => {
  it('names each field with ill-formed text by its path, keys included', () => {
    const bad = decodeUtf8KeepingErrors(Buffer.from([0x41, 0xff]));
    expect(illFormedFields({ ok: 'fine', subject: bad, nested: { list: ['x', bad] }, [bad]: 1, half: '\udc00', pair: '😀' })).toEqual([
      'subject',
      'nested.list.1',
      'A\uFFFD',
      'half',
    ]);
    expect(illFormedFields(bad)).toEqual(['body']);
    expect(() => assertWellFormedText({ subject: bad })).toThrow(ValidationError);
    expect(() => assertWellFormedText({ subject: 'Привет' })).not.toThrow();
    // A bad byte right after a JSON escape of a high surrogate pairs up with it once parsed: the raw text still tells.
    const raw = decodeUtf8KeepingErrors(Buffer.concat([Buffer.from('{"subject":"\\ud83d'), Buffer.from([0xff]), Buffer.from('"}')]));
    const parsed = JSON.parse(raw);
    expect(illFormedFields(parsed)).toEqual([]);
    expect(() => assertWellFormedText(parsed, raw)).toThrow(expect.objectContaining({ issues: [{ field: 'body', message: 'is not valid UTF-8' }] }));
  });
});
