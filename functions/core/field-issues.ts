import type { z } from 'zod';
import type { FieldIssue } from './errors.js';
import { ValidationError } from './errors.js';

/**
 * The one place where zod's issues become the field errors callers see (ValidationError ▶ 400 with
 * `fields`). Every parser of outside input goes through it, so the rules hold everywhere:
 * - a field is named by its full dotted path, an unknown key included (`location.bogus`, not `bogus`);
 * - a field gets one message, the first its schema raises (an empty email is "is required", not
 *   also "must be an email address");
 * - a missing value reads "is required" where the caller asks for it, rather than zod's type message.
 */
export interface FieldIssueOptions {
  /** The name for an issue about the input as a whole (`body`, `query`, `(root)`). */
  root: string;
  /** Message for a key the schema does not know (strict objects). */
  unknownKey?: string;
  /** A missing value (undefined where something was expected) reads "is required". */
  requiredWhenMissing?: boolean;
  /** Message for a wrong type of the whole input (a JSON array where an object belongs). */
  rootTypeMessage?: string;
}

const pathOf = (path: readonly PropertyKey[]) => path.map(String).join('.');

export function fieldIssues(error: z.ZodError, options: FieldIssueOptions): FieldIssue[] {
  const unknownKey = options.unknownKey ?? 'is not a known field';
  const byField = new Map<string, string>();
  const add = (field: string, message: string) => {
    if (!byField.has(field)) byField.set(field, message);
  };
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) add(pathOf([...issue.path, key]), unknownKey);
      continue;
    }
    const field = pathOf(issue.path) || options.root;
    const missing = (issue.code === 'invalid_type' || issue.code === 'invalid_value') && issue.input === undefined;
    if (missing && options.requiredWhenMissing) add(field, 'is required');
    else if (issue.path.length === 0 && issue.code === 'invalid_type' && options.rootTypeMessage) add(field, options.rootTypeMessage);
    else add(field, issue.message);
  }
  return [...byField].map(([field, message]) => ({ field, message }));
}

/**
 * Parses `input` with `schema`, or throws a ValidationError naming every field at fault once.
 * `reportInput` lets "missing" be told from "wrong type" (zod 4 leaves the input out otherwise).
 */
export function parseOrThrow<T extends z.ZodType>(schema: T, input: unknown, options: FieldIssueOptions): z.output<T> {
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  throw new ValidationError(fieldIssues(result.error, options));
}
