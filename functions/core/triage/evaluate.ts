/**
 * How good a field model is, measured on examples it did not learn from: accuracy, macro-F1 (every
 * label counts the same, however rare), and for each confidence threshold the share of cases the
 * model would act on (coverage) and how often it would be right when it does (precision). The
 * threshold table is what an admin reads to choose a field's minimum confidence.
 */

export interface ScoredExample {
  gold: string;
  predicted: string;
  confidence: number;
}

export interface ThresholdRow {
  threshold: number;
  /** Share of cases at or above the threshold (0..1). */
  coverage: number;
  /** Share of those the model got right (0..1); 1 when none are covered. */
  precision: number;
}

export interface ConfusedPair {
  actual: string;
  predicted: string;
  count: number;
}

export interface Evaluation {
  examples: number;
  accuracy: number;
  macroF1: number;
  thresholds: ThresholdRow[];
  /** The label pairs mistaken most often (actual ▶ predicted). */
  confused: ConfusedPair[];
}

export const THRESHOLDS = [0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.99] as const;

const round4 = (n: number) => Math.round(n * 10_000) / 10_000;

export function thresholdRow(scored: readonly ScoredExample[], threshold: number): ThresholdRow {
  const covered = scored.filter((s) => s.confidence >= threshold);
  const right = covered.filter((s) => s.predicted === s.gold).length;
  return {
    threshold,
    coverage: scored.length ? round4(covered.length / scored.length) : 0,
    precision: covered.length ? round4(right / covered.length) : 1,
  };
}

export function evaluate(scored: readonly ScoredExample[], options: { thresholds?: readonly number[]; confusedPairs?: number } = {}): Evaluation {
  const labels = [...new Set(scored.flatMap((s) => [s.gold, s.predicted]))];
  const tp = new Map<string, number>();
  const fp = new Map<string, number>();
  const fn = new Map<string, number>();
  const pairs = new Map<string, ConfusedPair>();
  let right = 0;
  for (const s of scored) {
    if (s.predicted === s.gold) {
      right++;
      tp.set(s.gold, (tp.get(s.gold) ?? 0) + 1);
      continue;
    }
    fp.set(s.predicted, (fp.get(s.predicted) ?? 0) + 1);
    fn.set(s.gold, (fn.get(s.gold) ?? 0) + 1);
    const key = `${s.gold}\u0000${s.predicted}`;
    const pair = pairs.get(key) ?? { actual: s.gold, predicted: s.predicted, count: 0 };
    pair.count++;
    pairs.set(key, pair);
  }
  // Macro-F1 over the labels that occur as truth (a label only ever predicted still costs precision elsewhere).
  const truthLabels = labels.filter((l) => (tp.get(l) ?? 0) + (fn.get(l) ?? 0) > 0);
  const f1s = truthLabels.map((l) => {
    const t = tp.get(l) ?? 0;
    const denominator = 2 * t + (fp.get(l) ?? 0) + (fn.get(l) ?? 0);
    return denominator === 0 ? 0 : (2 * t) / denominator;
  });
  return {
    examples: scored.length,
    accuracy: scored.length ? round4(right / scored.length) : 0,
    macroF1: f1s.length ? round4(f1s.reduce((a, b) => a + b, 0) / f1s.length) : 0,
    thresholds: (options.thresholds ?? THRESHOLDS).map((t) => thresholdRow(scored, t)),
    confused: [...pairs.values()]
      .sort((a, b) => b.count - a.count || a.actual.localeCompare(b.actual) || a.predicted.localeCompare(b.predicted))
      .slice(0, options.confusedPairs ?? 10),
  };
}

/** The lowest threshold whose precision reaches `target` on these examples (undefined when none does). */
export function thresholdFor(scored: readonly ScoredExample[], target: number): number | undefined {
  const sorted = [...scored].sort((a, b) => b.confidence - a.confidence);
  let right = 0;
  let best: number | undefined;
  sorted.forEach((s, i) => {
    if (s.predicted === s.gold) right++;
    const next = sorted[i + 1];
    // Only between distinct confidences: a threshold cannot split equal ones.
    if (next && next.confidence === s.confidence) return;
    if (right / (i + 1) >= target) best = s.confidence;
  });
  return best;
}
