import { makeDispatchToAgent } from '../core/use-cases/dispatch.js';
import { makeRouteCase } from '../core/use-cases/route-case.js';
import type { AppDeps } from './deps.js';

/**
 * Routing a case and dispatching to an agent who can take work: the two use cases most others call
 * (a decline reroutes, a closed case frees capacity, an escalation reassigns). Wired once here and
 * handed to the others by functions/composition/use-cases.ts and sla-use-cases.ts.
 */
export function makeRoutingUseCases(deps: AppDeps) {
  const routing = {
    cases: deps.cases,
    configs: deps.configs,
    agentStates: deps.agentStates,
    assignments: deps.assignments,
    clock: deps.clock,
    ids: deps.ids,
  };
  return { routeCase: makeRouteCase(routing), dispatchToAgent: makeDispatchToAgent(routing) };
}

export type RoutingUseCases = ReturnType<typeof makeRoutingUseCases>;
