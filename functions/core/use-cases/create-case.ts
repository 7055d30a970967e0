import type { Principal } from '../authz.js';
import { actorOf } from '../authz.js';
import type { CaseRecord } from '../case.js';
import { ForbiddenError } from '../errors.js';
import { ACTIVITIES, makeEvent } from '../events.js';
import type { NewCaseInput } from '../intake.js';
import { firstMessage, newCase } from '../intake.js';
import type { Clock, IdGenerator } from '../ports/clock.js';
import type { CaseRepository } from '../ports/repositories.js';
import type { WorkflowStarter } from '../ports/workflow.js';
import { loadConfig, type ConfigSource } from './load-config.js';

/**
 * A case an agent opens for a customer who called or walked in (channel `phone`). It is written
 * like every other new case and goes through the same workflow (stamp ▶ prioritise ▶ route), so
 * territory, priority and routing treat it exactly as an emailed or web case.
 */

export interface CreateAgentCaseDeps {
  cases: CaseRepository;
  configs: ConfigSource;
  workflow: WorkflowStarter;
  clock: Clock;
  ids: IdGenerator;
}

export interface AgentCaseInput extends Omit<NewCaseInput, 'channel'> {
  /** How the customer reached us; both are the `phone` channel. */
  source: 'phone' | 'walk_in';
  /** A retry with the same key returns the case the first request created. */
  idempotencyKey?: string;
}

export interface CreateAgentCaseResult {
  created: boolean;
  case: CaseRecord;
}

/** Idempotency records outlive any sensible retry by a client. */
const IDEMPOTENCY_TTL_SECONDS = 7 * 24 * 3600;

export function makeCreateAgentCase(deps: CreateAgentCaseDeps) {
  return async function createAgentCase(p: Principal, input: AgentCaseInput): Promise<CreateAgentCaseResult> {
    if (p.roles.length === 0) throw new ForbiddenError('agents, managers and admins only');
    const idempotency = input.idempotencyKey ? { scope: 'agent-case', key: `${p.agentId}#${input.idempotencyKey}` } : undefined;
    if (idempotency) {
      const earlier = await deps.cases.findIdempotent(idempotency.scope, idempotency.key);
      if (earlier) return replay(earlier);
    }

    const config = await loadConfig(deps.configs);
    const now = deps.clock.now();
    const at = now.toISOString();
    const caseNumber = await deps.cases.allocateCaseNumber();
    const { source, idempotencyKey: _key, ...fields } = input;
    const c: CaseRecord = { ...newCase({ ...fields, channel: 'phone' }, { ids: deps.ids, caseNumber, at, config }), source } as CaseRecord;
    const message = { ...firstMessage(c, deps.ids.next()), from: c.contact.email || c.contact.phone || 'caller', recordedBy: p.agentId };
    const result = await deps.cases.create({
      case: c,
      messages: [message],
      events: [makeEvent(deps.ids, c.caseId, ACTIVITIES.created, at, actorOf(p), { channel: 'phone', source, caseNumber, recordedBy: p.agentId })],
      ...(idempotency ? { idempotency: { ...idempotency, expiresAt: Math.floor(now.getTime() / 1000) + IDEMPOTENCY_TTL_SECONDS } } : {}),
    });
    if (!result.created) return replay(result.existingCaseId);
    await deps.workflow.startCase(c.caseId);
    return { created: true, case: c };
  };

  async function replay(caseId: string): Promise<CreateAgentCaseResult> {
    const existing = await deps.cases.get(caseId);
    if (!existing) throw new Error(`idempotency record points at missing case ${caseId}`);
    // The first request may have died between writing the case and starting its workflow.
    if (existing.status === 'new') await deps.workflow.startCase(existing.caseId);
    return { created: false, case: existing };
  }
}
