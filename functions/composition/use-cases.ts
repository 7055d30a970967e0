import { makeRequestUpload } from '../core/use-cases/uploads.js';
import { makeApplyConfig, makeValidateConfig } from '../core/use-cases/apply-config.js';
import { makeFailCase } from '../core/use-cases/fail-case.js';
import { makeSetPresence } from '../core/use-cases/presence.js';
import { makeGetCase, makeGetCaseItem, makeGetMe, makeListCases } from '../core/use-cases/read-cases.js';
import { makeWorkCase } from '../core/use-cases/work-case.js';
import { makeCaseUpdates } from '../core/use-cases/case-updates.js';
import { makeCreateAgentCase } from '../core/use-cases/create-case.js';
import { makeReplyToCustomer } from '../core/use-cases/reply.js';
import { makeStartSwarm, makeSwarmMembership } from '../core/use-cases/swarm.js';
import { makeSlackInteractions } from '../core/use-cases/slack-interactions.js';
import { makeChangeClassification } from '../core/use-cases/classify-case.js';
import { makeListAgents } from '../core/use-cases/list-agents.js';
import { makeSearchCases } from '../core/use-cases/search-cases.js';
import { makeAttachmentLink } from '../core/use-cases/attachments.js';
import { makeCustomerStatus } from '../core/use-cases/customer-status.js';
import type { AppDeps } from './deps.js';
import { makeRoutingUseCases } from './routing-use-cases.js';
import { makeSlaUseCases } from './sla-use-cases.js';
import { makeWebIntake } from './web-intake.js';

/**
 * Every use case wired to one AppDeps, once. Handlers pick the one they call; the wiring between
 * use cases (a decline reroutes, a closed case frees capacity for dispatch) lives here and in the
 * slices it is built from (routing-use-cases.ts, sla-use-cases.ts, web-intake.ts), which the
 * smaller functions import on their own to keep their bundles small. Stamping is not here: only the
 * workflow-stamp function stamps (it wires `makeStampCase` itself), and normalisation's country, phone,
 * language and tone data would otherwise ride in every bundle that holds this wiring (docs/costs.md#cold-start).
 */
export function makeUseCases(deps: AppDeps) {
  const base = { cases: deps.cases, configs: deps.configs, clock: deps.clock, ids: deps.ids };
  const routing = { ...base, agentStates: deps.agentStates, assignments: deps.assignments };
  const routingUseCases = makeRoutingUseCases(deps);
  const { routeCase, dispatchToAgent } = routingUseCases;
  const caseLink = (c: { caseId: string }) => `${(deps.caseLinkBase ?? 'http://127.0.0.1:3000/cases').replace(/\/+$/, '')}/${encodeURIComponent(c.caseId)}`;
  const workCase = makeWorkCase({
    ...base,
    assignments: deps.assignments,
    routeCase,
    dispatchToAgent,
    workflow: deps.workflow,
    // A case that closes closes its swarm, and the swarm's Slack conversation hears it.
    swarmNotifier: deps.swarmNotifier,
    events: deps.emailStore,
    caseLink,
  });
  // SLA clocks and sweeps (functions/composition/sla-use-cases.ts), on the same routing use cases.
  const sla = makeSlaUseCases(deps, routingUseCases);
  // The agent API: phone cases, priority, notes, reassignment by a person, replies, swarms.
  const agentApi = {
    createAgentCase: makeCreateAgentCase({ ...base, workflow: deps.workflow }),
    caseUpdates: makeCaseUpdates({ ...routing, reassignForReason: sla.reassign, dispatchToAgent, workflow: deps.workflow }),
    changeClassification: makeChangeClassification(base),
    replyToCustomer: makeReplyToCustomer({
      ...base,
      email: deps.emailStore,
      mailer: deps.mailer,
      threadingKeys: deps.threadingKeys,
      workflow: deps.workflow,
      files: deps.rawMail,
      ...(deps.fileUploads ? { uploads: deps.fileUploads } : {}),
      ...(deps.defaultFromAddress ? { defaultFromAddress: deps.defaultFromAddress } : {}),
    }),
    startSwarm: makeStartSwarm({
      ...base,
      agentStates: deps.agentStates,
      events: deps.emailStore,
      notifier: deps.swarmNotifier,
      conversations: deps.swarmConversations,
      resolved: deps.resolvedCases,
      // Pod leads the chat does not reach are mailed, as SLA notifications are.
      mail: deps.notifier,
      ...(deps.defaultFromAddress ? { defaultFromAddress: deps.defaultFromAddress } : {}),
      caseLink,
    }),
    swarmMembership: makeSwarmMembership({ ...base, events: deps.emailStore, notifier: deps.swarmNotifier, caseLink }),
  };
  // The console's reads beyond the case itself: attachment downloads and the customer's status page.
  const unconfigured = (what: string) => async () => {
    throw new Error(`${what} is not configured for this deployment`);
  };
  const attachmentLink = makeAttachmentLink({ ...base, files: deps.fileLinks ?? { link: unconfigured('attachment download') } });
  const requestUpload = makeRequestUpload({
    ...base,
    uploads: deps.fileUploads ?? { presign: unconfigured('uploading files'), read: unconfigured('uploading files') },
  });
  const customerStatus = makeCustomerStatus({
    ...base,
    assignments: deps.assignments,
    workflow: deps.workflow,
    routeCase,
    rateLimiter: deps.rateLimiter,
    statusLinks: deps.statusLinks ?? { keys: { keys: unconfigured('the status page') }, pageBase: '' },
    ...(deps.defaultFromAddress ? { defaultFromAddress: deps.defaultFromAddress } : {}),
  });
  // Slack, both ways: its actions call the agent API's use cases as the Slack user's agent.
  const slackInteractions = makeSlackInteractions({
    cases: deps.cases,
    configs: deps.configs,
    workspace: deps.slack.app.workspace,
    conversations: deps.swarmConversations,
    notifier: deps.swarmNotifier,
    caseLink,
    addNote: (p, caseId, note) => agentApi.caseUpdates.addNote(p, caseId, note),
    replyToCustomer: (p, caseId, reply) => agentApi.replyToCustomer(p, caseId, reply),
    changeStatus: (p, caseId, change) => workCase.changeStatus(p, caseId, change),
    joinSwarm: (p, caseId, options) => agentApi.swarmMembership.join(p, caseId, options),
    leaveSwarm: (p, caseId, options) => agentApi.swarmMembership.leave(p, caseId, options),
  });
  return {
    ...agentApi,
    attachmentLink,
    requestUpload,
    customerStatus,
    slackInteractions,
    routeCase,
    dispatchToAgent,
    workCase,
    ...sla,
    failCase: makeFailCase({ ...base, alerts: deps.alerts, assignments: deps.assignments }),
    submitWebCase: makeWebIntake(deps),
    getCase: makeGetCase(base),
    getCaseItem: makeGetCaseItem(base),
    listCases: makeListCases(base),
    searchCases: makeSearchCases(base),
    listAgents: makeListAgents({ configs: deps.configs, agentStates: deps.agentStates, clock: deps.clock }),
    getMe: makeGetMe({ configs: deps.configs, agentStates: deps.agentStates, clock: deps.clock }),
    setPresence: makeSetPresence({ configs: deps.configs, agentStates: deps.agentStates, clock: deps.clock, dispatchToAgent }),
    applyConfig: makeApplyConfig({
      configs: deps.configs,
      cases: deps.cases,
      agentStates: deps.agentStates,
      clock: deps.clock,
      routeCase,
      dispatchToAgent,
      requeue: (p, caseId, change) => workCase.changeStatus(p, caseId, change),
      ...(deps.triageModels ? { triageModels: deps.triageModels } : {}),
    }),
    validateConfig: makeValidateConfig({ configs: deps.configs, ...(deps.triageModels ? { triageModels: deps.triageModels } : {}) }),
  };
}

export type UseCases = ReturnType<typeof makeUseCases>;
