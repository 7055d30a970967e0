/**
 * XML text for XES and SVG. Characters XML 1.0 forbids (most C0 controls, U+FFFE/U+FFFF, lone
 * surrogates) become U+FFFD instead of making the whole document unreadable; tab, newline and
 * carriage return are written as character references so attribute-value normalisation keeps them.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the characters XML 1.0 forbids, matched to be removed
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

/** Safe inside a double- or single-quoted attribute value, and inside element text. */
export function escapeXml(value: string): string {
  return value.replace(FORBIDDEN, '\uFFFD').replace(/[&<>"'\t\n\r]/g, (c) => ENTITIES[c]!);
}
