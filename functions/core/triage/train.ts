import { type Evaluation, type ScoredExample, evaluate } from './evaluate.js';
import { type FieldModel, type LabelledText, type Progress, type ViewSpec, fitFieldModel, fitTemperature, scoreText, softmax, splitHeldBack } from './model.js';
import { tokenize } from './text.js';

/**
 * Training one field, the way a team would want to trust it: part of the examples is held back,
 * a model trained on the rest is measured on it (and its confidence calibrated on it), then the
 * shipped model is trained on every example with that calibration. The evaluation shipped with
 * the model is therefore of a model trained on a little less data than the shipped one: if
 * anything, slightly pessimistic.
 */

export interface TrainFieldOptions {
  /** Share of examples held back for evaluation and calibration (default 0.2). */
  heldBack?: number;
  seed?: number;
  views?: ViewSpec[];
  onProgress?: Progress;
}

export interface TrainedField {
  model: FieldModel;
  evaluation: Evaluation;
  /** Examples learned from (the shipped model) and held back (the evaluation). */
  counts: { examples: number; labels: number; heldBack: number };
  /** Seconds spent: the held-back round (fit, score, calibrate) and the final fit. */
  seconds: { heldBackRound: number; finalFit: number };
}

/** Labels with fewer examples than this cannot be learned; they are left out (and said so). */
export const MIN_EXAMPLES_PER_LABEL = 2;

export class NotEnoughDataError extends Error {
  override readonly name = 'NotEnoughDataError';
}

/** Scores examples with a model: the gold label, the predicted one and its confidence. */
export function scoreExamples(model: FieldModel, examples: readonly LabelledText[]): ScoredExample[] {
  return examples.map((e) => {
    const probs = softmax(scoreText(model, tokenize(e.text)), model.temperature);
    let best = 0;
    for (let c = 1; c < probs.length; c++) if (probs[c]! > probs[best]!) best = c;
    return { gold: e.label, predicted: model.labels[best]!, confidence: probs[best]! };
  });
}

export function trainField(field: string, all: readonly LabelledText[], options: TrainFieldOptions & { now?: () => number } = {}): TrainedField {
  const now = options.now ?? (() => 0);
  const counts = new Map<string, number>();
  for (const e of all) counts.set(e.label, (counts.get(e.label) ?? 0) + 1);
  const examples = all.filter((e) => counts.get(e.label)! >= MIN_EXAMPLES_PER_LABEL && e.text.trim() !== '');
  const labels = new Set(examples.map((e) => e.label));
  if (labels.size < 2) {
    throw new NotEnoughDataError(
      `${field}: ${examples.length} usable examples in ${labels.size} label${labels.size === 1 ? '' : 's'}; at least two labels with ${MIN_EXAMPLES_PER_LABEL}+ examples each are needed`,
    );
  }
  const seed = options.seed ?? 13;
  const { train, heldBack } = splitHeldBack(examples, options.heldBack ?? 0.2, seed);
  const progress = (stage: string) => (done: number, total: number) => options.onProgress?.(stage, done, total);

  const started = now();
  const trial = fitFieldModel(field, train, {
    ...(options.views ? { views: options.views } : {}),
    onProgress: (s, d, t) => progress(`held-back round: ${s}`)(d, t),
  });
  const raw = heldBack.map((e) => scoreText(trial, tokenize(e.text)));
  const index = new Map(trial.labels.map((l, i) => [l, i]));
  // A held-back label the trial model never saw cannot be calibrated on: leave it out of the fit.
  const known = heldBack.map((e, i) => ({ scores: raw[i]!, gold: index.get(e.label) })).filter((s) => s.gold !== undefined);
  const temperature =
    known.length > 0
      ? fitTemperature(
          known.map((k) => k.scores),
          known.map((k) => k.gold!),
        )
      : 1;
  trial.temperature = temperature;
  const evaluation = evaluate(scoreExamples(trial, heldBack));
  const heldBackRound = (now() - started) / 1000;

  const finalStart = now();
  const model = fitFieldModel(field, examples, {
    ...(options.views ? { views: options.views } : {}),
    onProgress: (s, d, t) => progress(`final fit: ${s}`)(d, t),
  });
  model.temperature = temperature;
  const finalFit = (now() - finalStart) / 1000;
  return {
    model,
    evaluation,
    counts: { examples: examples.length, labels: labels.size, heldBack: heldBack.length },
    seconds: { heldBackRound, finalFit },
  };
}
