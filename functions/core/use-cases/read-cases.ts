import type { Principal } from '../authz.js';
import { assertCanReadCase, caseListScope, queuesOf } from '../authz.js';
import type { CaseStatus } from '../case.js';
import { formatCaseNumber } from '../case.js';
import { findAgent } from '../config.js';
import type { Channel } from '../config.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { AgentStateRepository, CaseRepository, CaseWithHistory, Page } from '../ports/repositories.js';
import type { CaseRecord } from '../case.js';
import { initialAgentState } from '../agent-state.js';
import type { Clock } from '../ports/clock.js';
import { loadConfig, type ConfigSource } from './load-config.js';
import { loadCase, loadCaseWithHistory } from './load-case.js';

/** `1024` or `00001024`: a case number, not an id. */
const CASE_NUMBER = /^[0-9]{1,8}$/;

export interface ReadCasesDeps {
  cases: CaseRepository;
  configs: ConfigSource;
}

/** A case id, or a case number as customers quote it (1 to 8 digits; ULIDs are 26 characters): its number pointer names the case. */
async function byNumber(cases: CaseRepository, idOrNumber: string): Promise<CaseRecord | undefined> {
  if (!CASE_NUMBER.test(idOrNumber)) return undefined;
  const c = await cases.getByNumber(formatCaseNumber(Number(idOrNumber)));
  if (!c) throw new NotFoundError(`case ${idOrNumber} does not exist`);
  return c;
}

export function makeGetCase(deps: ReadCasesDeps) {
  return async function getCase(principal: Principal, idOrNumber: string): Promise<CaseWithHistory> {
    const found = await loadCaseWithHistory(deps.cases, (await byNumber(deps.cases, idOrNumber))?.caseId ?? idOrNumber);
    assertCanReadCase(principal, found.case, await loadConfig(deps.configs));
    return found;
  };
}

/**
 * The case item alone (one GetItem), authorised like getCase: what a conditional read needs to
 * answer 304 without reading the history (the ETag is the case item's: docs/console.md#polling-and-etags).
 */
export function makeGetCaseItem(deps: ReadCasesDeps) {
  return async function getCaseItem(principal: Principal, idOrNumber: string): Promise<CaseRecord> {
    const c = (await byNumber(deps.cases, idOrNumber)) ?? (await loadCase(deps.cases, idOrNumber));
    assertCanReadCase(principal, c, await loadConfig(deps.configs));
    return c;
  };
}

export interface ListCasesFilter {
  queue?: string;
  /** An agent id, or `me` for the caller. */
  owner?: string;
  statuses?: CaseStatus[];
  /** Configured priority levels. */
  priorities?: string[];
  channels?: Channel[];
  limit: number;
  cursor?: string;
}

/**
 * Lists cases an agent may see: their own, or their queues' (all of them when no queue is named).
 * Managers and admins may list any queue, any owner, or everything by status.
 */
export function makeListCases(deps: ReadCasesDeps) {
  return async function listCases(principal: Principal, filter: ListCasesFilter): Promise<Page<CaseRecord>> {
    const config = await loadConfig(deps.configs);
    const unknown = (filter.priorities ?? []).filter((p) => !config.priorities.includes(p));
    if (unknown.length > 0) {
      throw new ValidationError([
        {
          field: 'priority',
          message: `${unknown.join(', ')} ${unknown.length === 1 ? 'is not a configured level' : 'are not configured levels'}; use ${config.priorities.join(', ')}`,
        },
      ]);
    }
    if (filter.owner === 'me') filter = { ...filter, owner: principal.agentId };
    const base = {
      statuses: filter.statuses,
      ...(filter.priorities?.length ? { priorities: filter.priorities } : {}),
      ...(filter.channels?.length ? { channels: filter.channels } : {}),
      limit: filter.limit,
      cursor: filter.cursor,
    };
    return deps.cases.list({ ...base, ...caseListScope(principal, config, filter) });
  };
}

export interface AgentProfileDeps {
  configs: ConfigSource;
  agentStates: AgentStateRepository;
  clock: Clock;
}

/** The calling agent's profile from the configuration with their live state. */
export function makeGetMe(deps: AgentProfileDeps) {
  return async function getMe(principal: Principal) {
    const config = await loadConfig(deps.configs);
    const agent = findAgent(config, principal.agentId);
    if (!agent) throw new NotFoundError(`agent ${principal.agentId} is not configured`);
    const state = (await deps.agentStates.get(agent.id)) ?? initialAgentState(agent.id, deps.clock.now().toISOString());
    return { ...agent, queues: queuesOf(config, agent.id), state, roles: principal.roles };
  };
}
