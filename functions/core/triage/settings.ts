import { z } from 'zod';
import { MODEL_VERSION_PATTERN } from './bundle.js';

/**
 * The routing configuration's `triage` section: which model version is in force and, per field,
 * how sure it must be before it fills an empty field. Everything has a default, so a configuration
 * without the section stays valid (and triage stays off until a version is named).
 */

/** At this confidence the Banking77 model was right 98 % of the time and acted on 82 % of cases (docs). */
export const DEFAULT_MIN_CONFIDENCE = 0.9;

const fieldSettings = z
  .object({
    /** Fill the field when it is empty (false: triage leaves the field alone: no prediction, nothing recorded). */
    enabled: z.boolean().default(true).describe('Fill the field when it is empty; false: triage leaves it alone (no prediction, nothing recorded).'),
    /** The prediction fills the field only at or above this confidence (0..1). */
    minConfidence: z.number().min(0).max(1).default(DEFAULT_MIN_CONFIDENCE).describe('The prediction fills the field only at or above this confidence (0..1).'),
  })
  .default({ enabled: true, minConfidence: DEFAULT_MIN_CONFIDENCE });

export const TriageSettingsSchema = z
  .object({
    /** The model version in force (`npm run triage -- train` prints it); absent: no triage. */
    modelVersion: z
      .string()
      .regex(MODEL_VERSION_PATTERN, 'a model version as `npm run triage -- list` shows it')
      .optional()
      .describe('The model version in force (`npm run triage -- train` prints it); absent: no triage.'),
    type: fieldSettings.describe("Triage of the case's type."),
    product: fieldSettings.describe("Triage of the case's product."),
    /**
     * A case whose empty field the model is not sure enough about: `leave` it for the rules as it is,
     * or send it to `review` so a person classifies it.
     */
    belowThreshold: z
      .enum(['leave', 'review'])
      .default('leave')
      .describe('A case whose empty field the model is not sure enough about: `leave` it for the rules, or send it to `review`.'),
  })
  .default({
    type: { enabled: true, minConfidence: DEFAULT_MIN_CONFIDENCE },
    product: { enabled: true, minConfidence: DEFAULT_MIN_CONFIDENCE },
    belowThreshold: 'leave',
  });

export type TriageSettings = z.infer<typeof TriageSettingsSchema>;
