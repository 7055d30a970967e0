import { whyNotTakingWork } from '../agent-state.js';
import type { Principal } from '../authz.js';
import { actorOf, assertCanAddNote, assertCanWorkCase, isSwarmMember } from '../authz.js';
import type { CaseMessage, CaseRecord } from '../case.js';
import { findAgent, findQueue, priorityRank } from '../config.js';
import { dueFor } from '../due.js';
import { ConflictError, PreconditionFailedError, ValidationError } from '../errors.js';
import { ACTIVITIES, makeEvent } from '../events.js';
import { assertVersion } from '../versions.js';
import type { WorkflowStarter } from '../ports/workflow.js';
import { loadConfig } from './load-config.js';
import { assertOpen, loadCase } from './load-case.js';
import type { Reassign } from './reassign.js';
import type { DispatchToAgent } from './dispatch.js';
import { slaAfterChange, watchSla } from './sla-clock.js';
import { HOLDS_CAPACITY } from './work-case.js';
import type { RoutingDeps } from './route-case.js';

/**
 * Working a case beyond its status: priority changes, internal notes and reassignment. Each loads
 * the case, checks who may do it (functions/core/authz.ts) and the caller's If-Match version, then
 * writes the case and its events in one conditional transaction.
 */

export interface CaseUpdateDeps extends RoutingDeps {
  /** The SLA engineer's reassignment (functions/core/use-cases/reassign.ts): moves a case to a queue and routes it there. */
  reassignForReason: Reassign;
  dispatchToAgent: DispatchToAgent;
  /** Starts a new generation of the case's workflow when a change moves an SLA deadline earlier (sla-clock.ts). */
  workflow?: WorkflowStarter;
}

export interface PriorityChange {
  priority: string;
  reason: string;
  expectedVersion?: number;
}

export interface NewNote {
  text: string;
  expectedVersion?: number;
  /** Where the note was written, when not through the API: Slack (a message in the swarm's conversation, or the note form). */
  source?: { kind: 'slack'; channel?: string; ts?: string };
}

export interface Reassignment {
  /** Exactly one of agent and queue. */
  agent?: string;
  queue?: string;
  reason: string;
  expectedVersion?: number;
}

export function makeCaseUpdates(deps: CaseUpdateDeps) {
  return {
    /**
     * A new priority level (one of the configured ones), with the reason on record. The case moves
     * in its queue's dispatch order at once (the index sorts by rank), and the SLA clock re-reads
     * its targets for the new level, counted from the case's creation.
     */
    async changePriority(p: Principal, caseId: string, change: PriorityChange): Promise<CaseRecord> {
      const c = await loadCase(deps.cases, caseId);
      assertCanWorkCase(p, c, 'change the priority of this case');
      assertVersion(c, change.expectedVersion);
      assertOpen(c, 'change its priority');
      const config = await loadConfig(deps.configs);
      if (!config.priorities.includes(change.priority)) {
        throw new ValidationError([{ field: 'priority', message: `must be one of the configured levels: ${config.priorities.join(', ')}` }]);
      }
      if (change.priority === c.priority) return c;
      const now = deps.clock.now();
      const at = now.toISOString();
      const moved: CaseRecord = { ...c, priority: change.priority, priorityRank: priorityRank(config, change.priority), updatedAt: at };
      // The clock re-reads its targets for the new level in the same write; a raised priority whose
      // deadline is now earlier than the one the workflow waits for starts a new watch (sla-clock.ts).
      const direction = moved.priorityRank < c.priorityRank ? 'raised' : 'lowered';
      const changed = makeEvent(deps.ids, c.caseId, ACTIVITIES.priorityChanged, at, actorOf(p), {
        from: c.priority,
        to: change.priority,
        direction,
        reason: change.reason,
      });
      const sla = slaAfterChange(c, moved, config, at, deps.ids, actorOf(p), [changed]);
      const written = await deps.cases.update(sla.case, c.version, sla.events);
      await watchSla(deps.workflow, c.caseId, sla.watch);
      return written;
    },

    /**
     * An internal note: a message the customer never sees, by anyone who may read the case (its
     * swarm's experts included). The case's version moves with it, so its ETag changes.
     */
    async addNote(p: Principal, caseId: string, note: NewNote): Promise<{ case: CaseRecord; message: CaseMessage }> {
      const c = await loadCase(deps.cases, caseId);
      const config = await loadConfig(deps.configs);
      assertCanAddNote(p, c, config);
      assertVersion(c, note.expectedVersion);
      const at = deps.clock.now().toISOString();
      const message: CaseMessage = {
        messageId: deps.ids.next(),
        caseId: c.caseId,
        direction: 'internal',
        channel: c.channel,
        from: p.agentId,
        subject: 'Internal note',
        text: note.text,
        at,
        attachments: [],
        ...(note.source ? { source: note.source } : {}),
      };
      const role = c.owner === p.agentId ? 'owner' : isSwarmMember(p, c) ? 'swarm' : 'colleague';
      const updated = await deps.cases.addMessage({ ...c, updatedAt: at }, c.version, message, [
        makeEvent(deps.ids, c.caseId, ACTIVITIES.noteAdded, at, actorOf(p), {
          messageId: message.messageId,
          role,
          length: note.text.length,
          ...(note.source ? { via: note.source.kind } : {}),
        }),
      ]);
      return { case: updated, message };
    },

    /**
     * Hands the case to another agent or to a queue, with the reason on record. To an agent: one
     * transaction moves the case, gives the old owner's capacity back and reserves the new owner's,
     * who must be online with room (capacity is never exceeded); they get it as an offer
     * (`assigned`) to accept. To a queue: the case leaves its owner, is pinned to that queue and is
     * routed anew there (the old owner is not offered it again). Either way the old owner's freed
     * capacity goes to their next queued case.
     */
    async reassign(p: Principal, caseId: string, change: Reassignment): Promise<CaseRecord> {
      const c = await loadCase(deps.cases, caseId);
      assertCanWorkCase(p, c, 'reassign this case');
      assertVersion(c, change.expectedVersion);
      assertOpen(c, 'reassign it');
      if (c.status === 'new') throw new ConflictError(`case ${c.caseNumber} is still being routed; reassign it once it is queued or assigned`);
      const config = await loadConfig(deps.configs);
      const at = deps.clock.now().toISOString();
      const holder = c.owner !== undefined && HOLDS_CAPACITY.has(c.status) ? c.owner : undefined;
      const actor = actorOf(p);

      if (change.agent !== undefined) {
        const agent = findAgent(config, change.agent);
        if (!agent) throw new ValidationError([{ field: 'agent', message: `${change.agent} is not a configured agent` }]);
        if (agent.id === c.owner && HOLDS_CAPACITY.has(c.status)) throw new ConflictError(`case ${c.caseNumber} is already ${agent.id}'s`);
        const capacity = agent.capacity[c.channel];
        const notNow = whyNotTakingWork(agent, await deps.agentStates.get(agent.id), c.channel);
        if (notNow?.reason === 'presence') {
          throw new ConflictError(`${agent.id} is ${notNow.presence} and cannot take the case now; reassign it to their queue instead`);
        }
        if (notNow?.reason === 'capacity') {
          throw new ConflictError(`${agent.id} has no spare ${c.channel} capacity (${notNow.load} of ${notNow.capacity} in use)`);
        }
        const next: CaseRecord = {
          ...c,
          status: 'assigned',
          owner: agent.id,
          due: dueFor('assigned', config, at),
          updatedAt: at,
          // Named by a person: a decline or timeout that excluded them before no longer applies.
          routing: {
            ...c.routing,
            excludedAgents: c.routing.excludedAgents.filter((a) => a !== agent.id),
            attempts: c.routing.attempts + 1,
            queuedAt: undefined,
          },
        };
        const causes = [
          makeEvent(deps.ids, c.caseId, ACTIVITIES.reassigned, at, actor, {
            cause: 'manual',
            reason: change.reason,
            from: c.owner ?? null,
            fromStatus: c.status,
            to: agent.id,
            queue: c.queue ?? null,
          }),
          ...(holder ? [makeEvent(deps.ids, c.caseId, ACTIVITIES.released, at, actor, { agent: holder, channel: c.channel })] : []),
        ];
        const sla = slaAfterChange(c, next, config, at, deps.ids, actor, causes);
        const events = sla.events;
        const outcome = await deps.assignments.transfer({
          next: sla.case,
          expectedVersion: c.version,
          ...(holder ? { fromAgentId: holder } : {}),
          toAgentId: agent.id,
          channel: c.channel,
          capacity,
          at,
          events,
        });
        if (!outcome.claimed) {
          throw new ConflictError(
            outcome.reason === 'case_changed'
              ? `case ${c.caseNumber} changed meanwhile: read it again`
              : `${agent.id} just became unavailable or ran out of ${c.channel} capacity`,
          );
        }
        await watchSla(deps.workflow, c.caseId, sla.watch);
        if (holder) await deps.dispatchToAgent(holder, { reason: 'a case was reassigned away from them' });
        return outcome.case;
      }

      const queueId = change.queue!;
      if (!findQueue(config, queueId)) throw new ValidationError([{ field: 'queue', message: `${queueId} is not a configured queue` }]);
      const result = await deps.reassignForReason(c.caseId, {
        reason: change.reason,
        cause: 'manual',
        actor,
        target: { kind: 'queue', queueId },
        // The owner handed it on (or a manager took it away): someone else in that queue should have it.
        excludeOwner: true,
        read: c,
        // If-Match holds to the end: a case that changed since the caller read it is not moved.
        guard: (current) => (change.expectedVersion !== undefined && current.version !== change.expectedVersion ? 'stale' : undefined),
      });
      if (!result.moved) {
        if (result.skipped === 'stale') throw new PreconditionFailedError(`case ${c.caseNumber} changed meanwhile: read it again`);
        throw new ConflictError(`case ${c.caseNumber} was not moved: ${result.skipped ?? 'it kept changing'}`);
      }
      if (holder) await deps.dispatchToAgent(holder, { reason: 'a case was reassigned away from them' });
      return loadCase(deps.cases, c.caseId);
    },
  };
}
