import { initialAgentState } from '../agent-state.js';
import type { CaseRecord } from '../case.js';
import { queuesOf } from '../authz.js';
import type { CompiledRouting } from '../routing/engine.js';
import { compileRouting, decideRouting } from '../routing/engine.js';
import { loadConfig } from './load-config.js';
import { claimForAgent, type RoutingDeps } from './route-case.js';

/** Dispatch reads and writes what routing does. */
export type DispatchDeps = RoutingDeps;

export interface DispatchOptions {
  /** Why the agent can take work now, for the record (`declined a case`, `came online`). */
  reason?: string;
  /** At most this many cases (default: as many as the agent can take). */
  max?: number;
}

/**
 * Gives an agent who can take work the queued cases they qualify for (makeDispatchToAgent) and
 * returns the ids of those assigned: how other use cases hand freed capacity on.
 */
export type DispatchToAgent = (agentId: string, options?: DispatchOptions) => Promise<string[]>;

/** How many waiting cases per queue are considered each time an agent frees up. */
export const QUEUE_HEAD = 25;

/** The order waiting cases are offered in: highest priority, then oldest (the queue index's sort key), then id. */
export function dispatchOrder(a: CaseRecord, b: CaseRecord): number {
  return a.priorityRank - b.priorityRank || a.createdAt.localeCompare(b.createdAt) || a.caseId.localeCompare(b.caseId);
}

/** The queues whose waiting cases an agent may take: their own, and those overflowing into them. */
export function queuesServedBy(compiled: CompiledRouting, agentId: string): string[] {
  const own = new Set(queuesOf(compiled.config, agentId));
  const served = new Set(own);
  for (const q of compiled.config.queues) if (q.overflowQueue && own.has(q.overflowQueue)) served.add(q.id);
  return [...served];
}

/**
 * An agent can take work (came online, closed a case, was given more capacity): give them the
 * highest-priority, then oldest, queued case they qualify for, and repeat while they can take more.
 * The routing engine decides whether they qualify, so both paths agree on who may take what.
 */
export function makeDispatchToAgent(deps: DispatchDeps): DispatchToAgent {
  return async function dispatchToAgent(agentId: string, options: DispatchOptions = {}): Promise<string[]> {
    const compiled = compileRouting(await loadConfig(deps.configs));
    if (!compiled.agents.get(agentId)) return [];
    const assigned: string[] = [];

    const heads = await Promise.all(queuesServedBy(compiled, agentId).map((q) => deps.cases.listQueued(q, QUEUE_HEAD)));
    const waiting: CaseRecord[] = heads.flat().sort(dispatchOrder);

    for (const candidate of waiting) {
      if (options.max !== undefined && assigned.length >= options.max) break;
      const now = deps.clock.now();
      const at = now.toISOString();
      const state = (await deps.agentStates.get(agentId)) ?? initialAgentState(agentId, at);
      if (state.presence !== 'online') break;
      const c = await deps.cases.get(candidate.caseId);
      if (!c || c.status !== 'queued') continue;

      // Only this agent's state is known: anyone else counts as unavailable, so the decision says
      // whether *this* agent may take the case now (a rule's named agents, the queue, or overflow).
      const decision = decideRouting({ case: c, compiled, states: new Map([[agentId, state]]), now });
      const mine = decision.ranking.find((r) => r.agentId === agentId);
      if (!mine) continue;

      const outcome = await claimForAgent(deps, compiled, c, decision, { agentId, queue: mine.queue }, at, {
        method: 'dispatch',
        rule: decision.rule?.id ?? null,
        reasons: [
          `${agentId} could take work${options.reason ? ` (${options.reason})` : ''}: highest-priority, oldest queued case they qualify for`,
          ...decision.reasons,
        ],
      });
      if (outcome.claimed) assigned.push(c.caseId);
      else if (outcome.reason === 'agent_unavailable') break;
    }
    return assigned;
  };
}
