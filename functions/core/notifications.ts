import type { CaseRecord } from './case.js';
import type { RoutingConfig } from './config.js';
import { findAgent } from './config.js';
import type { Notification, NotificationRecipient } from './ports/notifications.js';
import type { NotifyTarget } from './sla.js';

/**
 * Who a notification about a case reaches, resolved from the configuration: `owner` is the case's
 * owner, `supervisor` the owner's supervisor, `admins` the admins' channel. When a target resolves
 * to nobody (a queued case has no owner; an owner without a supervisor), the admins hear instead,
 * and the reasons say so: a warning nobody receives is worse than one sent to the wrong desk.
 */
export function resolveRecipients(
  c: Pick<CaseRecord, 'owner'>,
  config: RoutingConfig,
  targets: readonly NotifyTarget[],
): { agents: NotificationRecipient[]; admins: boolean; reasons: string[] } {
  const agents = new Map<string, NotificationRecipient>();
  const reasons: string[] = [];
  let admins = false;
  const owner = c.owner ? findAgent(config, c.owner) : undefined;
  for (const target of new Set(targets)) {
    if (target === 'admins') {
      admins = true;
    } else if (target === 'owner') {
      if (owner) agents.set(owner.id, { agentId: owner.id, name: owner.name, email: owner.email });
      else {
        admins = true;
        reasons.push('the case has no owner: admins notified instead');
      }
    } else {
      const supervisor = owner?.supervisor ? findAgent(config, owner.supervisor) : undefined;
      if (supervisor) agents.set(supervisor.id, { agentId: supervisor.id, name: supervisor.name, email: supervisor.email });
      else {
        admins = true;
        reasons.push(owner ? `${owner.id} has no supervisor: admins notified instead` : 'no owner, so no supervisor: admins notified instead');
      }
    }
  }
  return { agents: [...agents.values()], admins, reasons };
}

export function notificationFrom(config: RoutingConfig, defaultFromAddress?: string): Notification['from'] {
  const address = config.email?.fromAddress ?? defaultFromAddress;
  return address ? { address, name: config.email?.fromName ?? 'Support' } : undefined;
}

/** The lines every case notification starts with, so the reader knows which case without opening anything. */
export function caseSummary(c: CaseRecord): string {
  return [
    `Case ${c.caseNumber}: ${c.subject}`,
    `Status ${c.status}, priority ${c.priority}${c.queue ? `, queue ${c.queue}` : ''}${c.owner ? `, owner ${c.owner}` : ', no owner'}`,
    `Customer ${c.contact.name ? `${c.contact.name} <${c.contact.email}>` : c.contact.email}`,
  ].join('\n');
}
