import type { CaseRecord } from './case.js';
import type { Role, RoutingConfig } from './config.js';
import { ForbiddenError } from './errors.js';

/** Who is calling, as the token says. */
export interface Principal {
  agentId: string;
  roles: Role[];
}

export const isManager = (p: Principal) => p.roles.includes('manager') || p.roles.includes('admin');
export const isAdmin = (p: Principal) => p.roles.includes('admin');

/** The queues an agent is a member of. */
export function queuesOf(config: RoutingConfig, agentId: string): string[] {
  return config.queues.filter((q) => q.members.includes(agentId)).map((q) => q.id);
}

/** Agents see cases they own or that sit in their queues; managers and admins see all. */
export function canReadCase(p: Principal, c: CaseRecord, config: RoutingConfig): boolean {
  if (isManager(p)) return true;
  if (c.owner === p.agentId) return true;
  return c.queue !== undefined && queuesOf(config, p.agentId).includes(c.queue);
}

export function assertCanReadCase(p: Principal, c: CaseRecord, config: RoutingConfig): void {
  if (!canReadCase(p, c, config)) throw new ForbiddenError('this case is neither yours nor in one of your queues');
}

export function assertManager(p: Principal): void {
  if (!isManager(p)) throw new ForbiddenError('managers and admins only');
}

export function assertAdmin(p: Principal): void {
  if (!isAdmin(p)) throw new ForbiddenError('admins only');
}
