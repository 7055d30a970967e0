import { makeReassign } from '../core/use-cases/reassign.js';
import { makeCompleteFirstResponse } from '../core/use-cases/sla-clock.js';
import { makeEvaluateSla, makeScheduleSla } from '../core/use-cases/sla-workflow.js';
import { makeSweep } from '../core/use-cases/sweep.js';
import type { AppDeps } from './deps.js';
import type { RoutingUseCases } from './routing-use-cases.js';
import { makeRoutingUseCases } from './routing-use-cases.js';

/**
 * The SLA clock's and the sweep's use cases wired to one AppDeps: what the SLA task functions and the
 * sweep function need, and no more (their bundles stay small: no email, swarm or reports code).
 * functions/composition/use-cases.ts exposes the same ones, on the same routing use cases, to everything else.
 */
export function makeSlaUseCases(deps: AppDeps, routing: RoutingUseCases = makeRoutingUseCases(deps)) {
  const base = { cases: deps.cases, configs: deps.configs, clock: deps.clock, ids: deps.ids };
  const { routeCase, dispatchToAgent } = routing;
  const reassign = makeReassign({ ...base, assignments: deps.assignments, routeCase, workflow: deps.workflow });
  const notifying = { notifier: deps.notifier, ...(deps.defaultFromAddress ? { defaultFromAddress: deps.defaultFromAddress } : {}) };
  return {
    reassign,
    scheduleSla: makeScheduleSla(base),
    evaluateSla: makeEvaluateSla({ ...base, ...notifying, reassign }),
    completeFirstResponse: makeCompleteFirstResponse(base),
    sweep: makeSweep({ ...base, ...notifying, agentStates: deps.agentStates, reassign, dispatchToAgent, workflow: deps.workflow, metrics: deps.metrics }),
  };
}
