import { type FeatureSettings, type SparseMatrix, type Vectorised, buildVocabulary, stack, vectorise } from './features.js';
import { DEFAULT_SOFTMAX, DEFAULT_SVM, type SoftmaxSettings, type SvmSettings, addScores, seededRandom, trainOneVsRest, trainSoftmax } from './linear.js';
import { type Token, tokenize } from './text.js';

/**
 * A triage model for one field (type, product or queue): an ensemble of linear classifiers over
 * two views of the text, collapsed into one linear model per view, with a temperature that turns
 * its scores into calibrated probabilities.
 *
 * - View "words": word 1–3-grams, word pairs with a gap, 5-character stems, and character 2–5-grams
 *   inside words. Two learners on it: one-vs-rest SVMs and a dropout-regularised softmax regression.
 * - View "characters": words and character 1–6-grams inside words, with its own softmax regression.
 *
 * The members' scores are averaged as logits (each member's scores times its scale), which is again
 * linear in the features: the shipped model is one weight matrix per view, so a prediction costs
 * one sparse product per view however many members were trained. Averaging logits scored as well
 * as averaging probabilities on Banking77 (see docs) and keeps prediction simple.
 *
 * Confidence is softmax(temperature × score). The temperature is fitted on a held-back part of
 * the training data (minimum negative log-likelihood), so 0.9 means "right about nine times in ten"
 * on data like the held-back part, and thresholds mean the same across fields and teams.
 */

export type Member = { kind: 'svm'; scale: number; settings: SvmSettings } | { kind: 'softmax'; scale: number; settings: SoftmaxSettings };

export interface ViewSpec {
  name: string;
  features: FeatureSettings;
  members: Member[];
}

export const DEFAULT_VIEWS: ViewSpec[] = [
  {
    name: 'words',
    features: { wordNgrams: [1, 3], charNgrams: [2, 5], minDf: 2, charWeight: 1, skipGap: 2, stemLength: 5 },
    members: [
      // SVM scores are margins around ±1; scaled by 8 they weigh like the regression's logits.
      { kind: 'svm', scale: 8, settings: DEFAULT_SVM },
      { kind: 'softmax', scale: 1, settings: DEFAULT_SOFTMAX },
    ],
  },
  {
    name: 'characters',
    features: { wordNgrams: [1, 1], charNgrams: [1, 6], minDf: 2, charWeight: 1, skipGap: 0, stemLength: 0 },
    members: [{ kind: 'softmax', scale: 1, settings: DEFAULT_SOFTMAX }],
  },
];

/** One view as shipped: its vocabulary and its weights, quantised to 8 bits per weight with one scale per class. */
export interface ModelView {
  name: string;
  features: FeatureSettings;
  keys: string[];
  idf: Float32Array;
  /** `weights[j * classes + c]` × `scales[c]` is feature j's weight for class c; the bias row last. */
  weights: Int8Array;
  scales: Float32Array;
  /** key ▶ column, built when the model is loaded. */
  index: Map<string, number>;
}

export interface FieldModel {
  field: string;
  labels: string[];
  temperature: number;
  views: ModelView[];
  /** How many examples the shipped weights were trained on. */
  trainedOn: number;
}

export interface LabelledText {
  text: string;
  label: string;
}

export type Progress = (stage: string, done: number, total: number) => void;

export interface FitOptions {
  views?: ViewSpec[];
  onProgress?: Progress;
}

interface FittedView {
  spec: ViewSpec;
  vocabulary: ReturnType<typeof buildVocabulary>;
  weights: Float32Array;
}

/** Logit-averaged weights of every member of every view, trained on `examples` (labels given as indices into `labels`). */
function fitViews(tokens: Token[][], y: Int32Array, classes: number, views: ViewSpec[], onProgress?: Progress): FittedView[] {
  const memberCount = views.reduce((n, v) => n + v.members.length, 0);
  const out: FittedView[] = [];
  let done = 0;
  for (const spec of views) {
    // Few examples: keep every feature (a minimum count of 2 would leave a small team's data bare).
    const features = tokens.length < 2000 ? { ...spec.features, minDf: 1 } : spec.features;
    const vocabulary = buildVocabulary(tokens, features);
    const x: SparseMatrix = stack(
      tokens.map((t) => vectorise(t, vocabulary)),
      vocabulary.keys.length,
    );
    const weights = new Float32Array((x.columns + 1) * classes);
    for (const member of spec.members) {
      const stage = `${spec.name}/${member.kind}`;
      const report = (d: number, t: number) => onProgress?.(stage, done * 1000 + Math.round((d / t) * 1000), memberCount * 1000);
      const w = member.kind === 'svm' ? trainOneVsRest(x, y, classes, member.settings, report) : trainSoftmax(x, y, classes, member.settings, report);
      const factor = member.scale / memberCount;
      for (let q = 0; q < w.length; q++) weights[q]! += w[q]! * factor;
      done++;
    }
    out.push({ spec: { ...spec, features }, vocabulary, weights });
  }
  return out;
}

function quantise(fitted: FittedView, classes: number): ModelView {
  const { weights } = fitted;
  const scales = new Float32Array(classes);
  for (let q = 0; q < weights.length; q++) {
    const c = q % classes;
    scales[c] = Math.max(scales[c]!, Math.abs(weights[q]!));
  }
  for (let c = 0; c < classes; c++) scales[c] = scales[c]! > 0 ? scales[c]! / 127 : 1;
  const q8 = new Int8Array(weights.length);
  for (let q = 0; q < weights.length; q++) q8[q] = Math.round(weights[q]! / scales[q % classes]!);
  return {
    name: fitted.spec.name,
    features: fitted.spec.features,
    keys: fitted.vocabulary.keys,
    idf: fitted.vocabulary.idf,
    weights: q8,
    scales,
    index: fitted.vocabulary.index,
  };
}

/** Trains a field model on every example given. The temperature is 1 until `calibrate` sets it. */
export function fitFieldModel(field: string, examples: readonly LabelledText[], options: FitOptions = {}): FieldModel {
  const labels = [...new Set(examples.map((e) => e.label))].sort();
  const index = new Map(labels.map((l, i) => [l, i]));
  const tokens = examples.map((e) => tokenize(e.text));
  const y = Int32Array.from(examples.map((e) => index.get(e.label)!));
  const fitted = fitViews(tokens, y, labels.length, options.views ?? DEFAULT_VIEWS, options.onProgress);
  return { field, labels, temperature: 1, views: fitted.map((f) => quantise(f, labels.length)), trainedOn: examples.length };
}

// --- prediction ------------------------------------------------------------------------------

export interface LabelScore {
  label: string;
  confidence: number;
}

export interface WeighingWord {
  word: string;
  /** How much the word's features added to the predicted label's score. */
  weight: number;
}

export interface Prediction extends LabelScore {
  /** The next most likely labels, most likely first. */
  runnersUp: LabelScore[];
  /** The words that weighed most for the predicted label, heaviest first. */
  words: WeighingWord[];
}

function viewVector(view: ModelView, tokens: readonly Token[], withSources: boolean): Vectorised {
  return vectorise(tokens, { settings: view.features, keys: view.keys, idf: view.idf, index: view.index }, withSources);
}

/** Raw (uncalibrated) scores of a text, one per label; `vectors` (one per view) when already computed. */
export function scoreText(model: FieldModel, tokens: readonly Token[], vectors?: readonly Vectorised[]): Float64Array {
  const classes = model.labels.length;
  const scores = new Float64Array(classes);
  const partial = new Float64Array(classes);
  for (const [k, view] of model.views.entries()) {
    const v = vectors?.[k] ?? viewVector(view, tokens, false);
    partial.fill(0);
    addScores(v.indices, v.values, view.weights, classes, 1, partial);
    for (let c = 0; c < classes; c++) scores[c]! += partial[c]! * view.scales[c]!;
  }
  return scores;
}

export function softmax(scores: ArrayLike<number>, temperature: number): Float64Array {
  const out = new Float64Array(scores.length);
  let max = -Infinity;
  for (let c = 0; c < scores.length; c++) max = Math.max(max, scores[c]! * temperature);
  let sum = 0;
  for (let c = 0; c < scores.length; c++) {
    out[c] = Math.exp(scores[c]! * temperature - max);
    sum += out[c]!;
  }
  for (let c = 0; c < scores.length; c++) out[c] = out[c]! / sum;
  return out;
}

/** Calibrated probabilities of every label for a text. */
export function probabilities(model: FieldModel, text: string): Float64Array {
  return softmax(scoreText(model, tokenize(text)), model.temperature);
}

const round4 = (n: number) => Math.round(n * 10_000) / 10_000;

/** The most likely label with its confidence, the runners-up, and the words that weighed most. */
export function predict(model: FieldModel, text: string, options: { runnersUp?: number; words?: number } = {}): Prediction {
  const tokens = tokenize(text);
  const vectors = model.views.map((view) => viewVector(view, tokens, true));
  const probs = softmax(scoreText(model, tokens, vectors), model.temperature);
  const ranked = [...probs.keys()].sort((a, b) => probs[b]! - probs[a]!);
  const best = ranked[0]!;
  const classes = model.labels.length;
  // Each feature's part of the winning label's score, shared among the tokens it came from.
  const byToken = new Float64Array(tokens.length);
  for (const [k, view] of model.views.entries()) {
    const v = vectors[k]!;
    const scale = view.scales[best]!;
    v.indices.forEach((j, p) => {
      const part = v.values[p]! * view.weights[j * classes + best]! * scale;
      const sources = v.sources![p]!;
      for (const t of sources) byToken[t]! += part / sources.length;
    });
  }
  const byWord = new Map<string, number>();
  tokens.forEach((t, i) => byWord.set(t.text, (byWord.get(t.text) ?? 0) + byToken[i]!));
  const words = [...byWord.entries()]
    .filter(([, w]) => w > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, options.words ?? 5)
    .map(([word, weight]) => ({ word, weight: round4(weight) }));
  return {
    label: model.labels[best]!,
    confidence: round4(probs[best]!),
    runnersUp: ranked.slice(1, 1 + (options.runnersUp ?? 3)).map((c) => ({ label: model.labels[c]!, confidence: round4(probs[c]!) })),
    words,
  };
}

// --- calibration and held-back evaluation ------------------------------------------------------

/** The temperature that minimises the negative log-likelihood of the true labels (golden-section search on log T). */
export function fitTemperature(scores: readonly Float64Array[], gold: readonly number[]): number {
  const nll = (logT: number) => {
    const t = Math.exp(logT);
    let sum = 0;
    scores.forEach((s, i) => {
      const p = softmax(s, t)[gold[i]!]!;
      sum -= Math.log(Math.max(p, 1e-12));
    });
    return sum;
  };
  let lo = Math.log(0.01);
  let hi = Math.log(100);
  const phi = (Math.sqrt(5) - 1) / 2;
  let a = hi - phi * (hi - lo);
  let b = lo + phi * (hi - lo);
  let fa = nll(a);
  let fb = nll(b);
  for (let k = 0; k < 60; k++) {
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - phi * (hi - lo);
      fa = nll(a);
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + phi * (hi - lo);
      fb = nll(b);
    }
  }
  return round4(Math.exp((lo + hi) / 2));
}

/** A stratified split: about `fraction` of each label's examples held back (labels with one example stay in training). */
export function splitHeldBack<T extends { label: string }>(examples: readonly T[], fraction: number, seed: number): { train: T[]; heldBack: T[] } {
  const random = seededRandom(seed);
  const byLabel = new Map<string, T[]>();
  for (const e of examples) {
    const list = byLabel.get(e.label) ?? [];
    list.push(e);
    byLabel.set(e.label, list);
  }
  const train: T[] = [];
  const heldBack: T[] = [];
  for (const label of [...byLabel.keys()].sort()) {
    const list = [...byLabel.get(label)!];
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [list[i], list[j]] = [list[j]!, list[i]!];
    }
    const n = list.length < 2 ? 0 : Math.max(1, Math.round(list.length * fraction));
    heldBack.push(...list.slice(0, n));
    train.push(...list.slice(n));
  }
  return { train, heldBack };
}
