import type { Token } from './text.js';

/**
 * TF-IDF features of a text: word n-grams (for space-separated scripts, and character n-grams of
 * unspaced ones, which `tokenize` splits into characters) plus character n-grams inside each word,
 * padded with a space at both ends so prefixes and suffixes are features of their own ("char_wb").
 * Character n-grams carry a word across its inflections (Russian "карта", "карту", "картой") and
 * across typos; word n-grams carry phrases ("top up", "not arrived").
 *
 * Each block (words, characters) is weighted by sublinear term frequency (1 + ln tf) times inverse
 * document frequency, L2-normalised on its own, scaled by its block weight, and the whole vector is
 * L2-normalised again. Everything here is plain arithmetic over typed arrays: no native code.
 */

export interface FeatureSettings {
  /** Word n-gram lengths, e.g. [1, 3]. */
  wordNgrams: [number, number];
  /** Character n-gram lengths inside words, e.g. [2, 5]. */
  charNgrams: [number, number];
  /** A feature must occur in at least this many training texts to be kept. */
  minDf: number;
  /** Relative weight of the character block against the word block (1 = equal). */
  charWeight: number;
  /** Pairs of words with up to this many words between them ("card ... arrived"), 0 for none. */
  skipGap?: number;
  /** Word n-grams (up to 2) also over words cut to this many characters, a stemmer for any language; 0 for none. */
  stemLength?: number;
}

/** Receives each feature occurrence: its key, the tokens it spans (from..to) and whether it is a character n-gram. */
export type FeatureSink = (key: string, from: number, to: number, char: boolean) => void;

const SURROGATE = /[\uD800-\uDFFF]/;

/** Feature keys of a text; word keys start with "w", pairs with "s", stems with "p", character keys with "c". */
export function eachFeature(tokens: readonly Token[], settings: FeatureSettings, emit: FeatureSink): void {
  const [wMin, wMax] = settings.wordNgrams;
  for (let i = 0; i < tokens.length; i++) {
    let key = 'w';
    for (let n = 1; n <= wMax && i + n <= tokens.length; n++) {
      key += n === 1 ? tokens[i]!.text : ` ${tokens[i + n - 1]!.text}`;
      if (n >= wMin) emit(key, i, i + n - 1, false);
    }
  }
  const stemLength = settings.stemLength ?? 0;
  if (stemLength > 0) {
    const stems = tokens.map((t) => (t.unspaced ? undefined : Array.from(t.text).slice(0, stemLength).join('')));
    for (let i = 0; i < tokens.length; i++) {
      const a = stems[i];
      if (a === undefined) continue;
      if (a !== tokens[i]!.text) emit(`p${a}`, i, i, false);
      const b = stems[i + 1];
      if (b !== undefined && (a !== tokens[i]!.text || b !== tokens[i + 1]!.text)) emit(`p${a} ${b}`, i, i + 1, false);
    }
  }
  const gap = settings.skipGap ?? 0;
  for (let i = 0; i < tokens.length; i++) {
    for (let d = 2; d <= gap + 1 && i + d < tokens.length; d++) emit(`s${tokens[i]!.text} ${tokens[i + d]!.text}`, i, i + d, false);
  }
  const [cMin, cMax] = settings.charNgrams;
  if (cMax <= 0) return;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    // A single character of an unspaced script is already a word feature; its n-grams are the word n-grams.
    if (token.unspaced) continue;
    const padded = ` ${token.text} `;
    if (!SURROGATE.test(padded)) {
      for (let n = cMin; n <= cMax && n <= padded.length; n++) {
        for (let s = 0; s + n <= padded.length; s++) emit(`c${padded.substring(s, s + n)}`, i, i, true);
      }
      continue;
    }
    const chars = Array.from(padded);
    for (let n = cMin; n <= cMax && n <= chars.length; n++) {
      for (let s = 0; s + n <= chars.length; s++) emit(`c${chars.slice(s, s + n).join('')}`, i, i, true);
    }
  }
}

/** The learned vocabulary: feature key ▶ column, with each column's idf and block. */
export interface Vocabulary {
  settings: FeatureSettings;
  keys: string[];
  idf: Float32Array;
  index: Map<string, number>;
}

/** Builds the vocabulary from training texts (already tokenised). */
export function buildVocabulary(docs: readonly Token[][], settings: FeatureSettings): Vocabulary {
  const df = new Map<string, number>();
  for (const tokens of docs) {
    const seen = new Set<string>();
    eachFeature(tokens, settings, (key) => seen.add(key));
    for (const key of seen) df.set(key, (df.get(key) ?? 0) + 1);
  }
  const keys = [...df.entries()]
    .filter(([, n]) => n >= settings.minDf)
    .map(([k]) => k)
    .sort();
  const n = docs.length;
  const idf = new Float32Array(keys.length);
  keys.forEach((k, j) => {
    // Smoothed idf, as if one more text contained every feature: never zero, never infinite.
    idf[j] = Math.log((1 + n) / (1 + df.get(k)!)) + 1;
  });
  return { settings, keys, idf, index: new Map(keys.map((k, j) => [k, j])) };
}

/** A sparse row: column indices (ascending) and their values. */
export interface SparseVector {
  indices: Int32Array;
  values: Float32Array;
}

/** One text's vector, and for each non-zero entry the tokens that produced it (for explanations). */
export interface Vectorised extends SparseVector {
  /** Per entry: the tokens (indices) whose occurrences produced the feature. */
  sources?: number[][];
}

export function vectorise(tokens: readonly Token[], vocab: Vocabulary, withSources = false): Vectorised {
  const counts = new Map<number, { tf: number; char: boolean; sources?: Set<number> }>();
  eachFeature(tokens, vocab.settings, (key, from, to, char) => {
    const j = vocab.index.get(key);
    if (j === undefined) return;
    let entry = counts.get(j);
    if (!entry) {
      entry = { tf: 0, char, ...(withSources ? { sources: new Set<number>() } : {}) };
      counts.set(j, entry);
    }
    entry.tf += 1;
    if (entry.sources) for (let t = from; t <= to; t++) entry.sources.add(t);
  });
  const columns = [...counts.keys()].sort((a, b) => a - b);
  const values = new Float32Array(columns.length);
  let wordNorm = 0;
  let charNorm = 0;
  columns.forEach((j, k) => {
    const entry = counts.get(j)!;
    const v = (1 + Math.log(entry.tf)) * vocab.idf[j]!;
    values[k] = v;
    if (entry.char) charNorm += v * v;
    else wordNorm += v * v;
  });
  const wordScale = wordNorm > 0 ? 1 / Math.sqrt(wordNorm) : 0;
  const charScale = charNorm > 0 ? vocab.settings.charWeight / Math.sqrt(charNorm) : 0;
  let total = 0;
  columns.forEach((j, k) => {
    values[k] = values[k]! * (counts.get(j)!.char ? charScale : wordScale);
    total += values[k]! * values[k]!;
  });
  if (total > 0) {
    const scale = 1 / Math.sqrt(total);
    for (let k = 0; k < values.length; k++) values[k] = values[k]! * scale;
  }
  const out: Vectorised = { indices: Int32Array.from(columns), values };
  if (withSources) out.sources = columns.map((j) => [...counts.get(j)!.sources!]);
  return out;
}

/** Rows stacked for training (compressed sparse rows). */
export interface SparseMatrix {
  rows: number;
  columns: number;
  indptr: Int32Array;
  indices: Int32Array;
  values: Float32Array;
}

export function stack(rows: readonly SparseVector[], columns: number): SparseMatrix {
  const nnz = rows.reduce((s, r) => s + r.indices.length, 0);
  const indptr = new Int32Array(rows.length + 1);
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  let at = 0;
  rows.forEach((r, i) => {
    indices.set(r.indices, at);
    values.set(r.values, at);
    at += r.indices.length;
    indptr[i + 1] = at;
  });
  return { rows: rows.length, columns, indptr, indices, values };
}
