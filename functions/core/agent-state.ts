import type { Agent, Channel } from './config.js';
import { CHANNELS } from './config.js';

/** An agent's live state: presence and load per channel. Stored apart from the configuration. */
export const PRESENCES = ['online', 'away', 'offline'] as const;
export type Presence = (typeof PRESENCES)[number];

export type Load = Record<Channel, number>;

export interface AgentState {
  agentId: string;
  presence: Presence;
  presenceSince: string;
  load: Load;
  /** When the agent was last given a case (round robin: longest since last assignment goes first). */
  lastAssignedAt?: string;
  /** When a sweep reassigned the work of this absence (away/offline for longer than absentAfter). */
  absenceHandledAt?: string;
  version: number;
}

export const emptyLoad = (): Load => Object.fromEntries(CHANNELS.map((c) => [c, 0])) as Load;

export function initialAgentState(agentId: string, at: string): AgentState {
  return { agentId, presence: 'offline', presenceSince: at, load: emptyLoad(), version: 0 };
}

export function spareCapacity(agent: Agent, state: AgentState, channel: Channel): number {
  return agent.capacity[channel] - (state.load[channel] ?? 0);
}

/** Online is the only presence in which an agent is given work. */
export const isAvailable = (state: Pick<AgentState, 'presence'>): boolean => state.presence === 'online';

/** Why an agent cannot take a case now: not online, or no spare capacity on its channel. */
export type NotTakingWork = { reason: 'presence'; presence: Presence } | { reason: 'capacity'; load: number; capacity: number };

/**
 * Can this agent take a case on `channel` now? Undefined when they can, else why not. The routing
 * filters (presence, capacity) and a person's reassignment to a named agent ask the same question;
 * the claim itself checks capacity again atomically (functions/adapters/assignment-store.ts).
 */
export function whyNotTakingWork(agent: Agent, state: AgentState | undefined, channel: Channel): NotTakingWork | undefined {
  if (!state || !isAvailable(state)) return { reason: 'presence', presence: state?.presence ?? 'offline' };
  if (spareCapacity(agent, state, channel) <= 0) return { reason: 'capacity', load: state.load[channel] ?? 0, capacity: agent.capacity[channel] };
  return undefined;
}

/** Share of the agent's total capacity in use, across channels (0..1). */
export function utilisation(agent: Agent, state: AgentState): number {
  // Summed by hand: this runs for every candidate of every routing decision.
  const cap = agent.capacity;
  const total = cap.email + cap.web + cap.phone + cap.chat;
  if (total === 0) return 1;
  const load = state.load;
  return ((load.email ?? 0) + (load.web ?? 0) + (load.phone ?? 0) + (load.chat ?? 0)) / total;
}
