import type { Principal } from '../authz.js';
import { actorOf, assertCanWorkCase } from '../authz.js';
import type { CaseRecord } from '../case.js';
import type { CaseEvent } from '../events.js';
import { ValidationError } from '../errors.js';
import { ACTIVITIES, makeEvent } from '../events.js';
import type { Clock, IdGenerator } from '../ports/clock.js';
import type { CaseRepository } from '../ports/repositories.js';
import { FILLABLE_FIELDS, type FillableField } from '../triage/apply.js';
import { assertVersion } from '../versions.js';
import { loadCase } from './load-case.js';

/**
 * An agent sets a case's `type` or `product` (PATCH /cases/{id}): the owner, a manager or an
 * admin, open or closed (classification is also corrected after the fact, for reports and for the
 * next training). Every change is a `classification_changed` event with the reason; a change of a
 * value automatic triage had filled is also a `triage_corrected` event naming the prediction and
 * the model version, and the case keeps the correction beside the prediction (`case.triage`).
 * That is what training counts to report how often predictions were corrected, and the corrected
 * value is the label the next training learns.
 *
 * Changing the type or product does not re-route or re-prioritise a case already routed: the agent
 * who corrects it decides whether it should move (reassign) or change priority.
 */

export interface ClassificationChange {
  type?: string;
  product?: string;
  reason?: string;
  expectedVersion?: number;
}

export interface ClassifyDeps {
  cases: CaseRepository;
  clock: Clock;
  ids: IdGenerator;
}

export function makeChangeClassification(deps: ClassifyDeps) {
  return async function changeClassification(p: Principal, caseId: string, change: ClassificationChange): Promise<CaseRecord> {
    const given = FILLABLE_FIELDS.filter((f) => change[f] !== undefined);
    if (given.length === 0) throw new ValidationError([{ field: 'type', message: 'give a type, a product or both' }]);
    const c = await loadCase(deps.cases, caseId);
    assertCanWorkCase(p, c, 'change the classification of this case');
    assertVersion(c, change.expectedVersion);
    const changed = given.filter((f) => change[f]!.trim() !== (c[f] ?? ''));
    if (changed.length === 0) return c;

    const at = deps.clock.now().toISOString();
    const actor = actorOf(p);
    const next: CaseRecord = { ...c, updatedAt: at };
    const events: CaseEvent[] = [];
    const changes = changed.map((field: FillableField) => {
      const to = change[field]!.trim();
      next[field] = to;
      return { field, from: c[field] ?? null, to };
    });
    events.push(makeEvent(deps.ids, c.caseId, ACTIVITIES.classificationChanged, at, actor, { changes, ...(change.reason ? { reason: change.reason } : {}) }));

    if (c.triage) {
      const fields = { ...c.triage.fields };
      for (const { field, to } of changes) {
        const mark = fields[field];
        // Only the prediction itself is corrected: once an agent has changed the field, later changes are theirs.
        if (!mark || mark.correctedTo !== undefined || mark.value !== c[field]) continue;
        fields[field] = { ...mark, correctedTo: to, correctedBy: p.agentId, correctedAt: at };
        events.push(
          makeEvent(deps.ids, c.caseId, ACTIVITIES.triageCorrected, at, actor, {
            field,
            predicted: mark.value,
            confidence: mark.confidence,
            to,
            modelVersion: c.triage.modelVersion,
          }),
        );
      }
      next.triage = { ...c.triage, fields };
    }
    return deps.cases.update(next, c.version, events);
  };
}
