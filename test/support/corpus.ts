/**
 * Where the real-world corpora live. They come from other projects' repositories and are never
 * committed here, so `npm test` does not read them: the tests over them form their own suite
 * (`npm run test:corpus`, the `corpus` vitest project), which finds the material through
 * `CASEFLOW_DATA_DIR` (the folder holding `emails/`, `eventlogs/` and `tickets_text/`).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const CORPUS_ENV = 'CASEFLOW_DATA_DIR';

/** The absolute path of `segments` inside the corpus folder; throws a clear error when it is missing. */
export function corpusPath(...segments: string[]): string {
  const root = process.env[CORPUS_ENV];
  if (!root) {
    throw new Error(`${CORPUS_ENV} is not set: point it at the folder of real-world corpora (emails/, eventlogs/, tickets_text/) to run npm run test:corpus`);
  }
  const path = resolve(root, ...segments);
  if (!existsSync(path)) throw new Error(`${CORPUS_ENV}=${root} has no ${segments.join('/')}`);
  return path;
}
