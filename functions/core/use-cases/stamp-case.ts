import type { CaseRecord } from '../case.js';
import { assertTransition } from '../case.js';
import { ACTIVITIES, SYSTEM, makeEvent } from '../events.js';
import { NotFoundError } from '../errors.js';
import type { Clock, IdGenerator } from '../ports/clock.js';
import type { AlertPublisher } from '../ports/notifications.js';
import type { CaseRepository, StoredDecision } from '../ports/repositories.js';
import { decideTerritory } from '../territory.js';
import { normaliseCaseLoadingDetector } from '../normalise/index.js';
import { computePriority } from '../priority.js';
import { loadToneLexicon } from '../tone.js';
import { loadConfig, type ConfigSource } from './load-config.js';
import { applyTriage, fieldsToFill } from '../triage/apply.js';
import type { TriageModelSource } from '../triage/ports.js';
import type { TriageModelBundle } from '../triage/bundle.js';

export interface StampCaseDeps {
  cases: CaseRepository;
  configs: ConfigSource;
  alerts: AlertPublisher;
  clock: Clock;
  ids: IdGenerator;
  /** Trained triage models (functions/core/triage/); absent: a configured model version is recorded as unavailable. */
  triageModels?: TriageModelSource;
}

/** The configured model version, loaded only when the case has a field to fill; a file that cannot be read is recorded, not retried forever. */
async function loadTriageModel(deps: StampCaseDeps, version: string): Promise<{ bundle?: TriageModelBundle; unavailable?: string }> {
  if (!deps.triageModels) return { unavailable: 'no triage model store is configured for this function' };
  try {
    const bundle = await deps.triageModels.load(version);
    return bundle ? { bundle } : { unavailable: `model version ${version} is not stored` };
  } catch (error) {
    if ((error as Error).name === 'InvalidModelError') return { unavailable: `model version ${version} cannot be read: ${(error as Error).message}` };
    throw error;
  }
}

/** What the workflow needs to choose its next state. */
export interface StampResult {
  caseId: string;
  status: CaseRecord['status'];
  queue?: string;
  territory?: string;
  /** `route`: go on to routing; `review`: the case waits for a person. */
  next: 'route' | 'review';
}

/**
 * Stamps a new case with its territory and queue. A case outside every territory goes to manual
 * review and admins are alerted. Running it twice (a retried task) changes nothing the second time.
 */
export function makeStampCase(deps: StampCaseDeps) {
  return async function stampCase(caseId: string): Promise<StampResult> {
    const c = await deps.cases.get(caseId);
    if (!c) throw new NotFoundError(`case ${caseId} does not exist`);
    if (c.status !== 'new' || c.territory) {
      return { caseId, status: c.status, queue: c.queue, territory: c.territory, next: c.status === 'needs_review' ? 'review' : 'route' };
    }

    const config = await loadConfig(deps.configs);
    const at = deps.clock.now().toISOString();

    // Triage first, so normalisation, prioritisation, territories and rules all see the fields it fills.
    const toFill = fieldsToFill(c, config.triage);
    const model = toFill.length > 0 ? await loadTriageModel(deps, config.triage.modelVersion!) : {};
    const triage = applyTriage(c, config.triage, model.bundle, model.unavailable);

    // Normalise before matching, so "Deutschland" and "DE" reach the same territory; the
    // before/after of every field goes into the case's history.
    // The language detector is imported only for a case that needs one detected.
    const normalised = await normaliseCaseLoadingDetector(triage.case);
    // Tone in the case's language: its lexicon is loaded on first use (English needs none).
    const weighsTone = (config.prioritisation?.sentiment.pointsPerNegativeUnit ?? 0) > 0;
    const toneLexicon = weighsTone && normalised.case.language ? await loadToneLexicon(normalised.case.language) : undefined;
    const priority = computePriority(normalised.case, config.prioritisation, config, toneLexicon ? { toneLexicon } : {});
    const prepared: CaseRecord = { ...normalised.case, priority: priority.priority, priorityRank: priority.rank };
    const history = [
      ...(triage.record ? [makeEvent(deps.ids, caseId, ACTIVITIES.triaged, at, SYSTEM, { ...triage.record })] : []),
      ...(normalised.changes.length > 0 ? [makeEvent(deps.ids, caseId, ACTIVITIES.normalised, at, SYSTEM, { changes: normalised.changes })] : []),
      makeEvent(deps.ids, caseId, ACTIVITIES.prioritised, at, SYSTEM, {
        from: c.priority,
        to: priority.priority,
        score: priority.score,
        factors: priority.factors,
        explanation: priority.explanation,
      }),
    ];
    const priorityDecision: StoredDecision = {
      decisionId: deps.ids.next(),
      caseId,
      at,
      kind: 'priority',
      outcome: priority.priority,
      details: { ...priority },
    };

    const territory = decideTerritory(config.territories, prepared);
    const decision: StoredDecision = {
      decisionId: deps.ids.next(),
      caseId,
      at,
      kind: 'territory',
      outcome: territory.winner?.territoryId ?? 'none',
      details: { winner: territory.winner ?? null, runnersUp: territory.runnersUp },
    };

    if (!territory.winner || triage.record?.review) {
      assertTransition(c.status, 'needs_review');
      const reason = territory.winner ? triage.record!.review! : 'no territory matches this case';
      const next: CaseRecord = { ...prepared, status: 'needs_review', queue: config.reviewQueue, reviewReason: reason, updatedAt: at };
      // Alert first: a retried step may alert twice, but an alert is never lost after the write.
      await deps.alerts.publish({
        alertId: deps.ids.next(),
        at,
        subject: territory.winner ? `Case ${c.caseNumber} needs classifying` : `Case ${c.caseNumber} matches no territory`,
        message: `Case ${c.caseNumber} (${c.subject}) from ${c.contact.email} ${territory.winner ? `needs classifying (${reason})` : 'matched no territory'} and waits in ${config.reviewQueue}.`,
        caseId,
      });
      await deps.cases.update(
        next,
        c.version,
        [...history, makeEvent(deps.ids, caseId, ACTIVITIES.needsReview, at, SYSTEM, { reason, location: prepared.location ?? null })],
        [priorityDecision, decision],
      );
      return { caseId, status: next.status, queue: next.queue, next: 'review' };
    }

    const w = territory.winner;
    const next: CaseRecord = { ...prepared, territory: w.territoryId, queue: w.queue, updatedAt: at };
    await deps.cases.update(
      next,
      c.version,
      [
        ...history,
        makeEvent(deps.ids, caseId, ACTIVITIES.stamped, at, SYSTEM, {
          territory: w.territoryId,
          queue: w.queue,
          matchedOn: w.matchedOn,
          runnersUp: territory.runnersUp.map((r) => r.territoryId),
        }),
      ],
      [priorityDecision, decision],
    );
    return { caseId, status: next.status, queue: w.queue, territory: w.territoryId, next: 'route' };
  };
}
