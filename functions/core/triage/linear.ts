import type { SparseMatrix } from './features.js';

/**
 * Linear classifiers over sparse TF-IDF rows: per class, one weight per feature plus a bias.
 * Two learners, whose scores the ensemble adds up (functions/core/triage/model.ts):
 *
 * - One-vs-rest L2-regularised squared-hinge SVMs, solved in the dual by coordinate descent with
 *   shrinking (Hsieh et al., "A Dual Coordinate Descent Method for Large-scale Linear SVM", ICML
 *   2008, the method behind LIBLINEAR's default solver): each step optimises one example's dual
 *   variable in closed form; examples that are settled (far on the right side) leave the active set.
 * - Multinomial logistic regression by averaged stochastic gradient descent, with feature dropout
 *   (each time an example is seen, half its features are hidden; the rest are scaled up to keep
 *   the expectation), which regularises a text model better than an L2 penalty alone.
 *
 * Every random choice comes from a seeded generator: the same data gives the same model.
 */

/** A small seeded PRNG (mulberry32): reproducible shuffles without Math.random. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle(order: Int32Array, length: number, random: () => number): void {
  for (let i = length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
}

export interface SvmSettings {
  /** Inverse regularisation strength (larger fits the training data more closely). */
  C: number;
  /** Passes over the data at most. */
  maxEpochs: number;
  /** Stop when the projected gradient's spread falls below this. */
  tolerance: number;
  seed: number;
}

export const DEFAULT_SVM: SvmSettings = { C: 1, maxEpochs: 50, tolerance: 0.1, seed: 13 };

/** The bias is the weight of a constant feature of this value. */
const BIAS = 1;

/**
 * One binary squared-hinge SVM: `positive[i]` says whether row i is of the class. Writes the
 * weights (length columns + 1, the bias last) into `w`.
 */
export function trainBinarySvm(x: SparseMatrix, positive: Uint8Array, settings: SvmSettings, w: Float64Array, qii: Float64Array): void {
  const n = x.rows;
  const { indptr, indices, values } = x;
  const biasIndex = x.columns;
  w.fill(0);
  const alpha = new Float64Array(n);
  const diag = 1 / (2 * settings.C);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const random = seededRandom(settings.seed);
  let active = n;
  // Squared hinge has no upper bound on alpha, so only settled examples at alpha = 0 are shrunk.
  let pgMaxOld = Infinity;
  for (let epoch = 0; epoch < settings.maxEpochs; epoch++) {
    shuffle(order, active, random);
    let pgMax = -Infinity;
    let pgMin = Infinity;
    for (let k = 0; k < active; k++) {
      const i = order[k]!;
      const y = positive[i] ? 1 : -1;
      const start = indptr[i]!;
      const end = indptr[i + 1]!;
      let dot = w[biasIndex]! * BIAS;
      for (let p = start; p < end; p++) dot += w[indices[p]!]! * values[p]!;
      const a = alpha[i]!;
      const g = y * dot - 1 + diag * a;
      let pg = g;
      if (a === 0) {
        if (g > pgMaxOld) {
          // Settled on the right side of the margin: leave the active set (shrinking).
          active--;
          order[k] = order[active]!;
          order[active] = i;
          k--;
          continue;
        }
        if (g > 0) pg = 0;
      }
      if (pg > pgMax) pgMax = pg;
      if (pg < pgMin) pgMin = pg;
      if (Math.abs(pg) < 1e-12) continue;
      const next = Math.max(a - g / (qii[i]! + diag), 0);
      alpha[i] = next;
      const step = (next - a) * y;
      if (step === 0) continue;
      for (let p = start; p < end; p++) w[indices[p]!]! += step * values[p]!;
      w[biasIndex]! += step * BIAS;
    }
    if (pgMax - pgMin <= settings.tolerance) {
      if (active === n) break;
      // Converged on the active set: check every example once more before stopping.
      active = n;
      pgMaxOld = Infinity;
      continue;
    }
    pgMaxOld = pgMax <= 0 ? Infinity : pgMax;
  }
}

/**
 * One-vs-rest SVMs over `classes` labels (`labels[i]` is row i's class). Returns the weights laid
 * out by feature: `w[j * classes + c]`, the bias row last. `onClass` reports progress.
 */
export function trainOneVsRest(
  x: SparseMatrix,
  labels: Int32Array,
  classes: number,
  settings: SvmSettings,
  onClass?: (done: number, total: number) => void,
): Float32Array {
  const out = new Float32Array((x.columns + 1) * classes);
  const positive = new Uint8Array(x.rows);
  const w = new Float64Array(x.columns + 1);
  const qii = new Float64Array(x.rows);
  for (let i = 0; i < x.rows; i++) {
    let s = BIAS * BIAS;
    for (let p = x.indptr[i]!; p < x.indptr[i + 1]!; p++) s += x.values[p]! * x.values[p]!;
    qii[i] = s;
  }
  for (let c = 0; c < classes; c++) {
    for (let i = 0; i < x.rows; i++) positive[i] = labels[i] === c ? 1 : 0;
    trainBinarySvm(x, positive, { ...settings, seed: settings.seed + c }, w, qii);
    for (let j = 0; j <= x.columns; j++) out[j * classes + c] = w[j]!;
    onClass?.(c + 1, classes);
  }
  return out;
}

export interface SoftmaxSettings {
  /** L2 penalty per example. */
  lambda: number;
  epochs: number;
  /** Initial learning rate. */
  eta0: number;
  /** Average the weights over the last this-many epochs (Polyak-Ruppert averaging). */
  averageEpochs: number;
  /** Share of a row's features hidden each time it is seen (0 = none). */
  dropout: number;
  seed: number;
}

export const DEFAULT_SOFTMAX: SoftmaxSettings = { lambda: 1e-6, epochs: 25, eta0: 0.5, averageEpochs: 5, dropout: 0.5, seed: 13 };

/**
 * Multinomial logistic regression by SGD with a decaying rate (eta0 / (1 + eta0 λ t)), lazy L2
 * decay and weights averaged over the last epochs. Returns weights laid out like trainOneVsRest.
 */
export function trainSoftmax(
  x: SparseMatrix,
  labels: Int32Array,
  classes: number,
  settings: SoftmaxSettings,
  onEpoch?: (done: number, total: number) => void,
): Float32Array {
  const k = classes;
  const w = new Float32Array((x.columns + 1) * k);
  const avg = new Float64Array(w.length);
  let scale = 1; // the true weights are scale * w (the L2 decay, applied lazily)
  const random = seededRandom(settings.seed);
  const order = new Int32Array(x.rows);
  for (let i = 0; i < x.rows; i++) order[i] = i;
  const z = new Float64Array(k);
  const { indptr, indices, values } = x;
  const biasRow = x.columns * k;
  const keepScale = 1 / (1 - settings.dropout);
  let longest = 0;
  for (let i = 0; i < x.rows; i++) longest = Math.max(longest, indptr[i + 1]! - indptr[i]!);
  const kept = new Float64Array(longest);
  let t = 0;
  let averaged = 0;
  for (let epoch = 0; epoch < settings.epochs; epoch++) {
    shuffle(order, x.rows, random);
    for (let n = 0; n < x.rows; n++) {
      const i = order[n]!;
      const eta = settings.eta0 / (1 + settings.eta0 * settings.lambda * t);
      t++;
      const start = indptr[i]!;
      const end = indptr[i + 1]!;
      for (let p = start; p < end; p++) kept[p - start] = settings.dropout > 0 && random() < settings.dropout ? 0 : keepScale * values[p]!;
      for (let c = 0; c < k; c++) z[c] = w[biasRow + c]! * BIAS;
      for (let p = start; p < end; p++) {
        const v = kept[p - start]!;
        if (v === 0) continue;
        const row = indices[p]! * k;
        for (let c = 0; c < k; c++) z[c]! += w[row + c]! * v;
      }
      let max = -Infinity;
      for (let c = 0; c < k; c++) {
        z[c] = z[c]! * scale;
        if (z[c]! > max) max = z[c]!;
      }
      let sum = 0;
      for (let c = 0; c < k; c++) {
        z[c] = Math.exp(z[c]! - max);
        sum += z[c]!;
      }
      const y = labels[i]!;
      scale *= 1 - eta * settings.lambda;
      if (scale < 1e-6) {
        for (let q = 0; q < w.length; q++) w[q] = w[q]! * scale;
        scale = 1;
      }
      const step = eta / scale;
      for (let c = 0; c < k; c++) z[c] = (z[c]! / sum - (c === y ? 1 : 0)) * step;
      for (let p = start; p < end; p++) {
        const v = kept[p - start]!;
        if (v === 0) continue;
        const row = indices[p]! * k;
        for (let c = 0; c < k; c++) w[row + c]! -= z[c]! * v;
      }
      for (let c = 0; c < k; c++) w[biasRow + c]! -= z[c]! * BIAS;
    }
    if (epoch >= settings.epochs - settings.averageEpochs) {
      for (let q = 0; q < w.length; q++) avg[q]! += w[q]! * scale;
      averaged++;
    }
    onEpoch?.(epoch + 1, settings.epochs);
  }
  const out = new Float32Array(w.length);
  for (let q = 0; q < w.length; q++) out[q] = avg[q]! / averaged;
  return out;
}

/** Adds one sparse row's scores (weights laid out by feature) into `scores`. */
export function addScores(indices: Int32Array, values: Float32Array, weights: ArrayLike<number>, classes: number, factor: number, scores: Float64Array): void {
  const biasRow = (weights.length / classes - 1) * classes;
  for (let c = 0; c < classes; c++) scores[c]! += weights[biasRow + c]! * BIAS * factor;
  for (let p = 0; p < indices.length; p++) {
    const row = indices[p]! * classes;
    const v = values[p]! * factor;
    for (let c = 0; c < classes; c++) scores[c]! += weights[row + c]! * v;
  }
}
