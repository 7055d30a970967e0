import type { CaseRecord, TriageMarks } from '../case.js';
import type { TriageModelBundle } from './bundle.js';
import { type LabelScore, type Prediction, type WeighingWord, predict } from './model.js';
import type { TriageSettings } from './settings.js';

/**
 * Triage of a new case, before normalisation, prioritisation and rules see it: each empty field the
 * configuration lets triage fill (`type`, `product`) gets the model's prediction when its confidence
 * reaches the field's minimum; a field the customer or an agent set is never touched. The queue the
 * model expects is recorded beside them, for the agent's information only: queues are the business
 * of territories and rules.
 *
 * The result carries what the `triaged` event records for every field predicted: the label, its
 * confidence, the runners-up, the words that weighed most, the threshold, and whether it was applied.
 */

/** Fields triage may fill, in the order they are predicted. */
export const FILLABLE_FIELDS = ['type', 'product'] as const;
export type FillableField = (typeof FILLABLE_FIELDS)[number];

export interface FieldVerdict {
  prediction: string;
  confidence: number;
  runnersUp: LabelScore[];
  words: WeighingWord[];
  /** The field's minimum confidence; absent for the queue, which is never applied. */
  threshold?: number;
  applied: boolean;
  /** Why it was or was not applied. */
  reason: string;
}

export interface TriageRecord {
  modelVersion: string;
  fields: Partial<Record<'type' | 'product' | 'queue', FieldVerdict>>;
  /** Set when the configuration sends unsure cases to review and this one is. */
  review?: string;
  /** Set when triage could not run (the model version is not stored, or has no model for a field). */
  skipped?: string;
}

export interface TriageOutcome {
  /** The case with the fields filled (unchanged when nothing was applied). */
  case: CaseRecord;
  /** What the `triaged` event records; undefined when nothing needed predicting. */
  record?: TriageRecord;
}

/** The text a model reads: the subject and the customer's first message, as in training. */
export function triageText(c: Pick<CaseRecord, 'subject' | 'description'>): string {
  return `${c.subject ?? ''}\n${c.description ?? ''}`.trim();
}

const isEmpty = (value: string | undefined) => value === undefined || value.trim() === '';

/** The fields this case needs predicted under these settings (empty and enabled). */
export function fieldsToFill(c: CaseRecord, settings: TriageSettings): FillableField[] {
  if (!settings.modelVersion) return [];
  return FILLABLE_FIELDS.filter((f) => settings[f].enabled && isEmpty(c[f]));
}

function verdict(p: Prediction, applied: boolean, reason: string, threshold?: number): FieldVerdict {
  return {
    prediction: p.label,
    confidence: p.confidence,
    runnersUp: p.runnersUp,
    words: p.words,
    ...(threshold !== undefined ? { threshold } : {}),
    applied,
    reason,
  };
}

/**
 * Triage with a loaded model version. `bundle` undefined: the configured version is not available
 * (`unavailable` says why), which is recorded and leaves the case as it is rather than failing the
 * workflow: without triage the case is still routed, as it was before triage existed.
 */
export function applyTriage(c: CaseRecord, settings: TriageSettings, bundle: TriageModelBundle | undefined, unavailable?: string): TriageOutcome {
  const wanted = fieldsToFill(c, settings);
  if (wanted.length === 0) return { case: c };
  const modelVersion = settings.modelVersion!;
  if (!bundle) return { case: c, record: { modelVersion, fields: {}, skipped: unavailable ?? `model version ${modelVersion} is not stored` } };

  const text = triageText(c);
  const next: CaseRecord = { ...c };
  const record: TriageRecord = { modelVersion, fields: {} };
  const marks: TriageMarks = { modelVersion, fields: { ...(c.triage?.modelVersion === modelVersion ? c.triage.fields : {}) } };
  const unsure: string[] = [];
  const missing: string[] = [];
  for (const field of wanted) {
    const model = bundle.fields[field];
    if (!model) {
      missing.push(field);
      continue;
    }
    const p = predict(model, text);
    const threshold = settings[field].minConfidence;
    if (p.confidence >= threshold) {
      next[field] = p.label;
      marks.fields[field] = { value: p.label, confidence: p.confidence };
      record.fields[field] = verdict(p, true, `confidence ${p.confidence} ≥ ${threshold}`, threshold);
    } else {
      unsure.push(field);
      record.fields[field] = verdict(p, false, `confidence ${p.confidence} < ${threshold}: left empty`, threshold);
    }
  }
  const queueModel = bundle.fields.queue;
  if (queueModel) record.fields.queue = verdict(predict(queueModel, text), false, 'for information: territories and rules choose the queue');
  if (missing.length > 0) record.skipped = `model version ${modelVersion} has no model for ${missing.join(', ')}`;
  if (unsure.length > 0 && settings.belowThreshold === 'review') {
    record.review = `triage is not sure enough about ${unsure.join(' and ')}: a person should classify the case`;
  }
  if (Object.keys(marks.fields).length > 0) next.triage = marks;
  return { case: next, record };
}
