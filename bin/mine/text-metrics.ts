/**
 * Text width estimates for laying out SVG without a browser. Widths are Helvetica's (= Arial's =
 * Liberation Sans's, which are metric-compatible), in thousandths of an em, from the standard AFM
 * files; the SVG asks for those fonts, so the estimates hold wherever it is viewed.
 */
const NARROW: Record<string, number> = {
  ' ': 278,
  '!': 278,
  '"': 355,
  "'": 191,
  '(': 333,
  ')': 333,
  ',': 278,
  '-': 333,
  '.': 278,
  '/': 278,
  ':': 278,
  ';': 278,
  '[': 278,
  ']': 278,
  '|': 260,
  '+': 584,
  '=': 584,
  '#': 556,
  '%': 889,
  '&': 667,
  '·': 278,
  f: 278,
  i: 222,
  j: 222,
  l: 222,
  r: 333,
  t: 278,
  c: 500,
  k: 500,
  s: 500,
  v: 500,
  x: 500,
  y: 500,
  z: 500,
  m: 833,
  w: 722,
  A: 667,
  B: 667,
  C: 722,
  D: 722,
  E: 667,
  F: 611,
  G: 778,
  H: 722,
  I: 278,
  J: 500,
  K: 667,
  L: 556,
  M: 833,
  N: 722,
  O: 778,
  P: 667,
  Q: 778,
  R: 722,
  S: 667,
  T: 611,
  U: 722,
  V: 667,
  W: 944,
  X: 667,
  Y: 667,
  Z: 611,
};

/** Bold Helvetica runs about 7 % wider on mixed text. */
const BOLD_FACTOR = 1.07;

export function textWidth(text: string, fontSize: number, bold = false): number {
  let units = 0;
  for (const ch of text) {
    const w = NARROW[ch];
    if (w !== undefined) units += w;
    else if (ch.charCodeAt(0) < 128) units += 556;
    // Beyond ASCII (accents, CJK), err on the wide side: overlap is worse than slack.
    else units += ch.charCodeAt(0) > 0x2e80 ? 1000 : 600;
  }
  return (units / 1000) * fontSize * (bold ? BOLD_FACTOR : 1);
}

/** Splits a long label at the space closest to its middle; short ones stay on one line. */
export function wrapLabel(text: string, maxChars: number): string[] {
  if (text.length <= maxChars) return [text];
  const middle = text.length / 2;
  let best = -1;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === ' ' && (best < 0 || Math.abs(i - middle) < Math.abs(best - middle))) best = i;
  }
  if (best < 0) return [text];
  return [text.slice(0, best), text.slice(best + 1)];
}
