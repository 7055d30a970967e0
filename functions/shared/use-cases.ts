import { makeApplyConfig } from '../core/use-cases/apply-config.js';
import { makeDispatchToAgent } from '../core/use-cases/dispatch.js';
import { makeFailCase } from '../core/use-cases/fail-case.js';
import { makeSetPresence } from '../core/use-cases/presence.js';
import { makeGetCase, makeGetMe, makeListCases } from '../core/use-cases/read-cases.js';
import { makeRouteCase } from '../core/use-cases/route-case.js';
import { makeStampCase } from '../core/use-cases/stamp-case.js';
import { makeSubmitWebCase } from '../core/use-cases/submit-web-case.js';
import { makeWorkCase } from '../core/use-cases/work-case.js';
import type { AppDeps } from './deps.js';

/**
 * Every use case wired to one AppDeps, once. Handlers pick the one they call; the wiring between
 * use cases (a decline reroutes, a closed case frees capacity for dispatch) lives here only.
 */
export function makeUseCases(deps: AppDeps) {
  const base = { cases: deps.cases, configs: deps.configs, clock: deps.clock, ids: deps.ids };
  const routing = { ...base, agentStates: deps.agentStates, assignments: deps.assignments };
  const routeCase = makeRouteCase(routing);
  const dispatchToAgent = makeDispatchToAgent(routing);
  const workCase = makeWorkCase({ ...base, assignments: deps.assignments, routeCase, dispatchToAgent });
  return {
    routeCase,
    dispatchToAgent,
    workCase,
    stampCase: makeStampCase({ ...base, alerts: deps.alerts }),
    failCase: makeFailCase({ ...base, alerts: deps.alerts, assignments: deps.assignments }),
    submitWebCase: makeSubmitWebCase({ ...base, workflow: deps.workflow, rateLimiter: deps.rateLimiter, limits: deps.webLimits }),
    getCase: makeGetCase(base),
    listCases: makeListCases(base),
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
    }),
  };
}

export type UseCases = ReturnType<typeof makeUseCases>;
