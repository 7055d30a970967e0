import type { CaseRecord } from '../case.js';
import { isOpen } from '../case.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { CaseRepository, CaseWithHistory } from '../ports/repositories.js';

/** The case, or NotFoundError (404): how every use case that acts on one case starts. */
export async function loadCase(cases: Pick<CaseRepository, 'get'>, caseId: string): Promise<CaseRecord> {
  const c = await cases.get(caseId);
  if (!c) throw new NotFoundError(`case ${caseId} does not exist`);
  return c;
}

/** The case with its messages, events and decisions, or NotFoundError (404). */
export async function loadCaseWithHistory(cases: Pick<CaseRepository, 'getWithHistory'>, caseId: string): Promise<CaseWithHistory> {
  const found = await cases.getWithHistory(caseId);
  if (!found) throw new NotFoundError(`case ${caseId} does not exist`);
  return found;
}

/** Work on a closed case (a priority, a reply, a swarm) waits until it is reopened: ConflictError (409). */
export function assertOpen(c: CaseRecord, action: string): void {
  if (!isOpen(c.status)) throw new ConflictError(`case ${c.caseNumber} is ${c.status}: reopen it before you ${action}`);
}
