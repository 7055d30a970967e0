import { makeAcknowledge } from '../core/use-cases/acknowledge.js';
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
    // Web-form cases are acknowledged as email cases are, where mail can be sent (docs/web-form.md#acknowledgements).
    ...(deps.canSendMail
      ? {
          acknowledgements: {
            acknowledge: makeAcknowledge({
              email: deps.emailStore,
              mailer: deps.mailer,
              threadingKeys: deps.threadingKeys,
              rateLimiter: deps.rateLimiter,
              clock: deps.clock,
              ids: deps.ids,
              ...(deps.statusLinks ? { statusLinks: deps.statusLinks } : {}),
            }),
            contacts: deps.emailStore,
            ...(deps.defaultFromAddress ? { defaultFromAddress: deps.defaultFromAddress } : {}),
          },
        }
      : {}),
  });
}
