import type { CaseRecord } from './case.js';
import { isOpen } from './case.js';
import type { RoutingConfig } from './config.js';
import { findAgent } from './config.js';
import type { SwarmSummary } from './ports/swarm.js';

/** The case as the swarm's conversation shows it. */
export function swarmSummary(c: CaseRecord, config: RoutingConfig, link: string): SwarmSummary {
  const owner = c.owner ? findAgent(config, c.owner) : undefined;
  const swarm = c.swarm;
  const question = swarm?.question ?? swarm?.note;
  return {
    caseId: c.caseId,
    caseNumber: c.caseNumber,
    subject: c.subject,
    status: c.status,
    priority: c.priority,
    ...(c.product ? { product: c.product } : {}),
    ...(c.account?.name || c.contact.name ? { customer: c.account?.name ?? c.contact.name! } : {}),
    ...(owner ? { owner: { agentId: owner.id, name: owner.name } } : c.owner ? { owner: { agentId: c.owner, name: c.owner } } : {}),
    ...(question ? { question } : {}),
    skills: (swarm?.skills ?? []).map((s) => ({ skill: s.skill, minLevel: s.minLevel })),
    members: (swarm?.members ?? []).map((m) => ({ agentId: m.agentId, name: m.name })),
    open: swarm?.status === 'open' && isOpen(c.status),
    ...(swarm?.closedReason ? { closedReason: swarm.closedReason } : {}),
    link,
  };
}
