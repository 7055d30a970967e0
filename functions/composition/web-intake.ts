import { makeSubmitWebCase } from '../core/use-cases/submit-web-case.js';
import type { AppDeps } from './deps.js';

/** Web-to-case's use case, with the deployment's rate limits (its own module: the web-to-case bundle carries nothing else). */
export function makeWebIntake(deps: AppDeps) {
  return makeSubmitWebCase({
    cases: deps.cases,
    configs: deps.configs,
    workflow: deps.workflow,
    rateLimiter: deps.rateLimiter,
    claims: deps.claims,
    clock: deps.clock,
    ids: deps.ids,
    sleep: deps.sleep,
    limits: deps.webLimits,
  });
}
