import type { Actor, CaseRecord } from './case.js';
import { isOpen } from './case.js';
import type { Role, RoutingConfig } from './config.js';
import { ConflictError, ForbiddenError } from './errors.js';

/** Who is calling, as the token says. */
export interface Principal {
  agentId: string;
  roles: Role[];
}

/**
 * Who may do what to a case. Roles come from the token (agent, manager, admin); the relations come
 * from the case (its owner, its queue's members, its open swarm's members). The matrix, as callers
 * see it, is docs/api.md#who-may-do-what (test/e2e/authz-matrix.test.ts checks every route against it).
 * A swarm member's access lasts while the swarm is open, which it is only while the case is open:
 * closing the case closes the swarm, and the experts lose access with it.
 * Admins are managers for every case action (isManager); only admins manage the configuration.
 */
/** The actor a person's action is recorded as, in events and decisions. */
export const actorOf = (p: Principal): Actor => ({ kind: 'agent', id: p.agentId });

export const isManager = (p: Principal) => p.roles.includes('manager') || p.roles.includes('admin');
export const isAdmin = (p: Principal) => p.roles.includes('admin');

/** The queues an agent is a member of. */
export function queuesOf(config: RoutingConfig, agentId: string): string[] {
  return config.queues.filter((q) => q.members.includes(agentId)).map((q) => q.id);
}

/** An expert invited to the case's swarm, while the swarm (and so the case) is open. */
export function isSwarmMember(p: Principal, c: CaseRecord): boolean {
  const swarm = c.swarm;
  return swarm !== undefined && swarm.status === 'open' && isOpen(c.status) && swarm.members.some((m) => m.agentId === p.agentId);
}

/** Agents see cases they own, that sit in their queues, or whose open swarm invited them; managers and admins see all. */
export function canReadCase(p: Principal, c: CaseRecord, config: RoutingConfig): boolean {
  if (isManager(p)) return true;
  if (c.owner === p.agentId) return true;
  if (isSwarmMember(p, c)) return true;
  return c.queue !== undefined && queuesOf(config, p.agentId).includes(c.queue);
}

export function assertCanReadCase(p: Principal, c: CaseRecord, config: RoutingConfig): void {
  if (!canReadCase(p, c, config)) throw new ForbiddenError('this case is neither yours, nor in one of your queues, nor one whose swarm you are in');
}

/** Internal notes are how colleagues help on a case: everyone who may read it may add one. */
export const canAddNote = canReadCase;

export function assertCanAddNote(p: Principal, c: CaseRecord, config: RoutingConfig): void {
  if (!canAddNote(p, c, config)) throw new ForbiddenError('only the owner, members of its queue, its swarm, managers and admins may add notes to this case');
}

/** Changing a case (status, priority, owner, replies, swarms) is its owner's business, or a manager's. */
export function canWorkCase(p: Principal, c: CaseRecord): boolean {
  return c.owner === p.agentId || isManager(p);
}

export function assertCanWorkCase(p: Principal, c: CaseRecord, action: string): void {
  if (!canWorkCase(p, c)) throw new ForbiddenError(`only the owner, a manager or an admin may ${action}`);
}

/** Accepting or declining an offer is for the agent it was offered to, and nobody else (a manager reassigns instead). */
export function assertOfferedTo(p: Principal, c: CaseRecord, action: string): void {
  if (c.owner !== p.agentId) throw new ForbiddenError(`only the agent the case was offered to may ${action}`);
}

/** Which cases a listing shows: one owner's, some queues', or (neither) every case. */
export interface CaseListScope {
  owner?: string;
  queues?: string[];
}

/**
 * What a listing may show the caller. Managers and admins: any owner, any queue, or everything.
 * Agents: their own cases, or a queue they are a member of; with neither asked for, all their
 * queues (their own cases when they are in none). Asking for anything else is refused, not narrowed.
 */
export function caseListScope(p: Principal, config: RoutingConfig, asked: { owner?: string; queue?: string }): CaseListScope {
  if (isManager(p)) {
    if (asked.owner) return { owner: asked.owner };
    if (asked.queue) return { queues: [asked.queue] };
    return {};
  }
  if (asked.owner) {
    if (asked.owner !== p.agentId) throw new ForbiddenError("agents may list only their own cases or their queues'");
    return { owner: asked.owner };
  }
  const mine = queuesOf(config, p.agentId);
  if (asked.queue) {
    if (!mine.includes(asked.queue)) throw new ForbiddenError(`you are not a member of queue ${asked.queue}`);
    return { queues: [asked.queue] };
  }
  return mine.length === 0 ? { owner: p.agentId } : { queues: mine };
}

export function assertManager(p: Principal): void {
  if (!isManager(p)) throw new ForbiddenError('managers and admins only');
}

export function assertAdmin(p: Principal): void {
  if (!isAdmin(p)) throw new ForbiddenError('admins only');
}

/**
 * Joining a swarm of one's own accord: while the swarm and the case are open, an agent who may
 * read the case, manages, or has one of the skills the swarm asks for (an expert volunteering);
 * never the owner (it is their case already). The reasons: docs/slack.md#joining-and-leaving.
 */
export function canJoinSwarm(p: Principal, c: CaseRecord, config: RoutingConfig): boolean {
  const swarm = c.swarm;
  if (!swarm || swarm.status !== 'open' || !isOpen(c.status) || c.owner === p.agentId) return false;
  if (canReadCase(p, c, config)) return true;
  const agent = config.agents.find((a) => a.id === p.agentId);
  const wanted = new Set(swarm.skills.map((s) => s.skill.trim().toLowerCase()));
  return agent !== undefined && Object.keys(agent.skills).some((k) => wanted.has(k.trim().toLowerCase()));
}

export function assertCanJoinSwarm(p: Principal, c: CaseRecord, config: RoutingConfig): void {
  if (canJoinSwarm(p, c, config)) return;
  // Who may read the case learns why; others learn nothing about it.
  if (canReadCase(p, c, config)) {
    if (c.owner === p.agentId) throw new ConflictError('you own this case: a swarm is there to help you');
    throw new ConflictError(`case ${c.caseNumber} has no open swarm to join: its owner or a manager can start one`);
  }
  throw new ForbiddenError('only agents who may read the case or have one of the skills its swarm asks for may join it');
}
