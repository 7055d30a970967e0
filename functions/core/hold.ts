import type { CaseRecord } from './case.js';

/** What a customer's word on a case decides about its hold (docs/architecture.md#statuses). */
export interface CustomerWordOnHold {
  /** The case moves on_hold ▶ in_progress (`resumed`), as an agent's resume moves it. */
  resumes: boolean;
  /** Why, for the record: empty when the case is not on hold. */
  reasons: string[];
}

/**
 * A message joins a case: does it resume the case's hold? Only when the case is `on_hold`, the
 * message is the customer's own word (never an auto-reply, a bounce or a report: automated mail),
 * and the configuration's `email.resumeHeldCasesOnReply` is on. Pure.
 */
export function decideResumeOnCustomerWord(input: {
  case: Pick<CaseRecord, 'caseNumber' | 'status'>;
  automated: boolean;
  resumeHeldCasesOnReply: boolean;
}): CustomerWordOnHold {
  const { caseNumber, status } = input.case;
  if (status !== 'on_hold') return { resumes: false, reasons: [] };
  if (input.automated) return { resumes: false, reasons: [`case ${caseNumber} stays on_hold: automated mail never resumes a case`] };
  if (!input.resumeHeldCasesOnReply)
    return { resumes: false, reasons: [`case ${caseNumber} stays on_hold: email.resumeHeldCasesOnReply is off in the configuration`] };
  return { resumes: true, reasons: [`the customer answered case ${caseNumber} on hold: it resumes with its owner`] };
}
