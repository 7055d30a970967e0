import { PreconditionFailedError } from './errors.js';

/**
 * Optimistic concurrency as the use cases see it: the version the caller read (from If-Match), or
 * nothing for an unconditional write. An If-Match that is not an ETag this API issued still makes the
 * write conditional, on a version nothing ever has, so it fails with 412 like a stale one; and it
 * fails only where a stale one would, after authorisation, so a caller who may not touch the case
 * learns nothing from it.
 */
export const UNMATCHABLE_VERSION = -1;

/** If-Match: the caller read version `expected`; anything else ▶ 412, read it again. Call it after authorising. */
export function assertVersion(c: { caseNumber: string; version: number }, expected: number | undefined): void {
  if (expected === undefined || expected === c.version) return;
  if (expected === UNMATCHABLE_VERSION) {
    throw new PreconditionFailedError(
      `If-Match is not an ETag of case ${c.caseNumber}: send the ETag of GET /cases/{id} (a quoted version such as "${c.version}")`,
    );
  }
  throw new PreconditionFailedError(`case ${c.caseNumber} is at version ${c.version}, not ${expected}: read it again`);
}
