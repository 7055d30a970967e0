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

export const DEFAULT_FEATURES: FeatureSettings = { wordNgrams: [1, 3], charNgrams: [2, 5], minDf: 2, charWeight: 1 };

/** A feature occurrence: its key and the token (index into the text's tokens) it came from. */
interface RawFeature {
  key: string;
  /** First and last token it spans (word n-grams span several). */
  from: number;
  to: number;
  char: boolean;
}

/** Feature keys of a text; word keys start with "w", character keys with "c" (one namespace each). */
export function rawFeatures(tokens: readonly Token[], settings: FeatureSettings): RawFeature[] {
  const out: RawFeature[] = [];
  const [wMin, wMax] = settings.wordNgrams;
  for (let i = 0; i < tokens.length; i++) {
    let key = 'w';
    for (let n = 1; n <= wMax && i + n <= tokens.length; n++) {
      key += n === 1 ? tokens[i]!.text : ` ${tokens[i + n - 1]!.text}`;
      if (n >= wMin) out.push({ key, from: i, to: i + n - 1, char: false });
    }
  }
  const stemLength = settings.stemLength ?? 0;
  if (stemLength > 0) {
    const stems = tokens.map((t) => (t.unspaced ? undefined : Array.from(t.text).slice(0, stemLength).join('')));
    for (let i = 0; i < tokens.length; i++) {
      const a = stems[i];
      if (a === undefined) continue;
      if (a !== tokens[i]!.text) out.push({ key: `p${a}`, from: i, to: i, char: false });
      const b = stems[i + 1];
      if (b !== undefined && (a !== tokens[i]!.text || b !== tokens[i + 1]!.text)) out.push({ key: `p${a} ${b}`, from: i, to: i + 1, char: false });
    }
  }
  const gap = settings.skipGap ?? 0;
  for (let i = 0; i < tokens.length; i++) {
    for (let d = 2; d <= gap + 1 && i + d < tokens.length; d++) {
      out.push({ key: `s${tokens[i]!.text} ${tokens[i + d]!.text}`, from: i, to: i + d, char: false });
    }
  }
  const [cMin, cMax] = settings.charNgrams;
  if (cMax > 0) {
    tokens.forEach((token, i) => {
      // A single character of an unspaced script is already a word feature; its n-grams are the word n-grams.
      if (token.unspaced) return;
      const padded = ` ${token.text} `;
      const chars = Array.from(padded);
      for (let n = cMin; n <= cMax; n++) {
        if (n > chars.length) break;
        for (let s = 0; s + n <= chars.length; s++) {
          out.push({ key: `c${chars.slice(s, s + n).join('')}`, from: i, to: i, char: true });
        }
      }
    });
  }
  return out;
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
    for (const f of rawFeatures(tokens, settings)) seen.add(f.key);
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
  for (const f of rawFeatures(tokens, vocab.settings)) {
    const j = vocab.index.get(f.key);
    if (j === undefined) continue;
    let entry = counts.get(j);
    if (!entry) {
      entry = { tf: 0, char: f.char, ...(withSources ? { sources: new Set<number>() } : {}) };
      counts.set(j, entry);
    }
    entry.tf += 1;
    if (entry.sources) for (let t = f.from; t <= f.to; t++) entry.sources.add(t);
  }
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
