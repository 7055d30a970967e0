import type { AgentState, Presence } from '../agent-state.js';
import type { Principal } from '../authz.js';
import { assertManager } from '../authz.js';
import { findAgent } from '../config.js';
import { NotFoundError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { AgentStateRepository } from '../ports/repositories.js';
import { loadConfig, type ConfigSource } from './load-config.js';
import type { DispatchToAgent } from './dispatch.js';

export interface SetPresenceDeps {
  configs: ConfigSource;
  agentStates: AgentStateRepository;
  clock: Clock;
  /** Gives a newly available agent the queued work they can take. */
  dispatchToAgent: DispatchToAgent;
}

export interface SetPresenceResult {
  state: AgentState;
  /** Cases assigned to the agent because they came online. */
  dispatched: string[];
}

/** Agents set their own presence; managers and admins may set anyone's. */
export function makeSetPresence(deps: SetPresenceDeps) {
  return async function setPresence(principal: Principal, agentId: string, presence: Presence): Promise<SetPresenceResult> {
    if (agentId !== principal.agentId) assertManager(principal);
    const config = await loadConfig(deps.configs);
    if (!findAgent(config, agentId)) throw new NotFoundError(`agent ${agentId} is not configured`);
    const state = await deps.agentStates.setPresence(agentId, presence, deps.clock.now().toISOString());
    const dispatched = presence === 'online' ? await deps.dispatchToAgent(agentId) : [];
    return { state: dispatched.length > 0 ? ((await deps.agentStates.get(agentId)) ?? state) : state, dispatched };
  };
}
