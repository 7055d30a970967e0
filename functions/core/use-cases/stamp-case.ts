import type { CaseRecord } from '../case.js';
import { assertTransition } from '../case.js';
import { ACTIVITIES, SYSTEM, makeEvent } from '../events.js';
import { NotFoundError } from '../errors.js';
import type { AlertPublisher, CaseRepository, Clock, IdGenerator, StoredDecision } from '../ports.js';
import { decideTerritory } from '../territory.js';
import { loadConfig, type ConfigSource } from './load-config.js';

export interface StampCaseDeps {
  cases: CaseRepository;
  configs: ConfigSource;
  alerts: AlertPublisher;
  clock: Clock;
  ids: IdGenerator;
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
    const territory = decideTerritory(config.territories, c);
    const decision: StoredDecision = {
      decisionId: deps.ids.next(),
      caseId,
      at,
      kind: 'territory',
      outcome: territory.winner?.territoryId ?? 'none',
      details: { winner: territory.winner ?? null, runnersUp: territory.runnersUp },
    };

    if (!territory.winner) {
      assertTransition(c.status, 'needs_review');
      const reason = 'no territory matches this case';
      const next: CaseRecord = { ...c, status: 'needs_review', queue: config.reviewQueue, reviewReason: reason, updatedAt: at };
      // Alert first: a retried step may alert twice, but an alert is never lost after the write.
      await deps.alerts.publish({
        alertId: deps.ids.next(),
        at,
        subject: `Case ${c.caseNumber} matches no territory`,
        message: `Case ${c.caseNumber} (${c.subject}) from ${c.contact.email} matched no territory and waits in ${config.reviewQueue}.`,
        caseId,
      });
      await deps.cases.update(next, c.version, [
        makeEvent(deps.ids, caseId, ACTIVITIES.needsReview, at, SYSTEM, { reason, location: c.location ?? null }),
      ], [decision]);
      return { caseId, status: next.status, queue: next.queue, next: 'review' };
    }

    const w = territory.winner;
    const next: CaseRecord = { ...c, territory: w.territoryId, queue: w.queue, updatedAt: at };
    await deps.cases.update(next, c.version, [
      makeEvent(deps.ids, caseId, ACTIVITIES.stamped, at, SYSTEM, {
        territory: w.territoryId,
        queue: w.queue,
        matchedOn: w.matchedOn,
        runnersUp: territory.runnersUp.map((r) => r.territoryId),
      }),
    ], [decision]);
    return { caseId, status: next.status, queue: w.queue, territory: w.territoryId, next: 'route' };
  };
}
