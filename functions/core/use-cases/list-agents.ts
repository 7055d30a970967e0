import { initialAgentState } from '../agent-state.js';
import type { Principal } from '../authz.js';
import { isManager, queuesOf } from '../authz.js';
import type { Clock } from '../ports/clock.js';
import type { AgentStateRepository } from '../ports/repositories.js';
import { loadConfig, type ConfigSource } from './load-config.js';

export interface ListAgentsDeps {
  configs: ConfigSource;
  agentStates: Pick<AgentStateRepository, 'getMany'>;
  clock: Clock;
}

/**
 * The team as the caller may see it (GET /agents). Managers and admins: every configured agent
 * with presence, load per channel against capacity, roles and queues, every queue and territory.
 * Everyone: the priority levels (what a priority change may choose). Agents: the
 * members of their own queues (themselves included) with presence only, and those queues: enough
 * to see who is around to help, nothing about anyone's workload.
 */
export function makeListAgents(deps: ListAgentsDeps) {
  return async function listAgents(principal: Principal) {
    const config = await loadConfig(deps.configs);
    const manager = isManager(principal);
    const queues = manager ? config.queues : config.queues.filter((q) => q.members.includes(principal.agentId));
    const visible = new Set(manager ? config.agents.map((a) => a.id) : [principal.agentId, ...queues.flatMap((q) => q.members)]);
    const agents = config.agents.filter((a) => visible.has(a.id));
    const states = await deps.agentStates.getMany(agents.map((a) => a.id));
    const at = deps.clock.now().toISOString();
    return {
      agents: agents.map((agent) => {
        const state = states.get(agent.id) ?? initialAgentState(agent.id, at);
        const presence = { presence: state.presence, presenceSince: state.presenceSince };
        return manager
          ? {
              id: agent.id,
              name: agent.name,
              email: agent.email,
              roles: agent.roles,
              queues: queuesOf(config, agent.id),
              capacity: agent.capacity,
              tier: agent.tier,
              ...(agent.supervisor ? { supervisor: agent.supervisor } : {}),
              state: { ...presence, load: state.load },
            }
          : { id: agent.id, name: agent.name, queues: queuesOf(config, agent.id).filter((q) => queues.some((v) => v.id === q)), state: presence };
      }),
      queues: queues.map((q) => ({ id: q.id, name: q.name, members: q.members, routing: q.routing })),
      // What reports group by: managers compare territories side by side.
      ...(manager ? { territories: config.territories.map((t) => ({ id: t.id, name: t.name, queue: t.queue })) } : {}),
      priorities: config.priorities,
    };
  };
}
