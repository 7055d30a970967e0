import type { ModelSummary, TriageModelBundle } from './bundle.js';

/** What the workflow needs: a model version by name, loaded on first use. */
export interface TriageModelSource {
  /** The version's models, or undefined when no such version is stored. */
  load(version: string): Promise<TriageModelBundle | undefined>;
}

/**
 * Whether a version is stored, without reading its weights: what applying a configuration checks
 * before it names a version (docs/triage.md#the-configuration).
 */
export interface TriageModelCatalogue {
  exists(version: string): Promise<boolean>;
}

/** Where model versions live (S3 in AWS, the data directory locally): what training writes. */
export interface TriageModelStore extends TriageModelSource, TriageModelCatalogue {
  /** Stores a new version; a version that exists already is never overwritten (throws ConflictError). */
  save(bundle: TriageModelBundle): Promise<{ location: string; bytes: number }>;
  /** Every stored version, newest first, with its evaluation (weights not loaded). */
  list(): Promise<ModelSummary[]>;
}
