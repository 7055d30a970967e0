import type { Evaluation } from './evaluate.js';
import type { FeatureSettings } from './features.js';
import type { FieldModel, ModelView } from './model.js';

/**
 * A model version: the models of the fields it predicts (type, product, queue) and how each
 * measured on its held-back examples, written as one JSON document (typed arrays as base64). The
 * store adapters compress and keep it (S3 in AWS, the data directory locally); the routing
 * configuration names the version in force.
 */

export const TRIAGE_FIELDS = ['type', 'product', 'queue'] as const;
export type TriageField = (typeof TRIAGE_FIELDS)[number];

/** Model versions are named like configuration ids: safe in an S3 key and a file name. */
export const MODEL_VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export interface FieldEvaluation extends Evaluation {
  /** Examples the shipped model learned from, labels, and examples held back for this evaluation. */
  counts: { examples: number; labels: number; heldBack: number };
  /** Predictions applied to cases in the training data and how many an agent corrected afterwards. */
  corrections?: { applied: number; corrected: number; rate: number };
  seconds?: { heldBackRound: number; finalFit: number };
}

export interface ModelSource {
  kind: 'cases' | 'csv';
  /** Where the examples came from: the table, or the file and its columns. */
  description: string;
}

export interface TriageModelBundle {
  version: string;
  createdAt: string;
  source: ModelSource;
  fields: Partial<Record<string, FieldModel>>;
  evaluation: Partial<Record<string, FieldEvaluation>>;
  /** Fields that could not be trained, with the reason (too few examples, one label only). */
  skipped: Partial<Record<string, string>>;
}

/** What is listed and shown without loading the weights. */
export interface ModelSummary {
  version: string;
  createdAt: string;
  source: ModelSource;
  fields: string[];
  evaluation: Partial<Record<string, FieldEvaluation>>;
  skipped: Partial<Record<string, string>>;
}

export const BUNDLE_FORMAT = 'caseflow-triage-model/1';

interface SerialisedView {
  name: string;
  features: FeatureSettings;
  keys: string[];
  idf: string;
  weights: string;
  scales: string;
}

interface SerialisedField {
  field: string;
  labels: string[];
  temperature: number;
  trainedOn: number;
  views: SerialisedView[];
}

const b64 = (a: Int8Array | Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

function fromB64<T extends Int8Array | Float32Array>(text: string, make: (buffer: ArrayBuffer, length: number) => T, bytesPer: number): T {
  const bytes = Buffer.from(text, 'base64');
  // Copy into a fresh, aligned buffer: a Float32Array cannot start at an odd offset of the pooled one.
  const copy = new ArrayBuffer(bytes.length);
  new Uint8Array(copy).set(bytes);
  return make(copy, bytes.length / bytesPer);
}

export function summarise(bundle: TriageModelBundle): ModelSummary {
  return {
    version: bundle.version,
    createdAt: bundle.createdAt,
    source: bundle.source,
    fields: Object.keys(bundle.fields),
    evaluation: bundle.evaluation,
    skipped: bundle.skipped,
  };
}

export function serialiseBundle(bundle: TriageModelBundle): string {
  const fields: Record<string, SerialisedField> = {};
  for (const [name, model] of Object.entries(bundle.fields)) {
    if (!model) continue;
    fields[name] = {
      field: model.field,
      labels: model.labels,
      temperature: model.temperature,
      trainedOn: model.trainedOn,
      views: model.views.map((v) => ({ name: v.name, features: v.features, keys: v.keys, idf: b64(v.idf), weights: b64(v.weights), scales: b64(v.scales) })),
    };
  }
  return JSON.stringify({ format: BUNDLE_FORMAT, ...summarise(bundle), fields });
}

export class InvalidModelError extends Error {
  override readonly name = 'InvalidModelError';
}

export function parseBundle(text: string): TriageModelBundle {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new InvalidModelError('the model file is not JSON');
  }
  if (raw.format !== BUNDLE_FORMAT) throw new InvalidModelError(`the model file's format is ${String(raw.format)}, expected ${BUNDLE_FORMAT}`);
  const fields: Record<string, FieldModel> = {};
  for (const [name, f] of Object.entries(raw.fields as Record<string, SerialisedField>)) {
    const views: ModelView[] = f.views.map((v) => {
      const weights = fromB64(v.weights, (b, n) => new Int8Array(b, 0, n), 1);
      const scales = fromB64(v.scales, (b, n) => new Float32Array(b, 0, n), 4);
      const idf = fromB64(v.idf, (b, n) => new Float32Array(b, 0, n), 4);
      if (idf.length !== v.keys.length || weights.length !== (v.keys.length + 1) * f.labels.length || scales.length !== f.labels.length) {
        throw new InvalidModelError(`the model of ${name} is inconsistent (view ${v.name})`);
      }
      return { name: v.name, features: v.features, keys: v.keys, idf, weights, scales, index: new Map(v.keys.map((k, j) => [k, j])) };
    });
    fields[name] = { field: f.field, labels: f.labels, temperature: f.temperature, trainedOn: f.trainedOn, views };
  }
  return {
    version: String(raw.version),
    createdAt: String(raw.createdAt),
    source: raw.source as ModelSource,
    fields,
    evaluation: (raw.evaluation ?? {}) as TriageModelBundle['evaluation'],
    skipped: (raw.skipped ?? {}) as TriageModelBundle['skipped'],
  };
}

/** A version name from the training instant: `20250303-090000` (sortable, readable). */
export function versionFromInstant(at: Date): string {
  return at
    .toISOString()
    .replace(/\.\d+Z$/, '')
    .replace(/[-:]/g, '')
    .replace('T', '-');
}
