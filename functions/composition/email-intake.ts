import { makeMimeParser } from '../adapters/mime-parser.js';
import { makeReceiveEmail } from '../core/use-cases/receive-email.js';
import type { AppDeps } from './deps.js';
import { makeRoutingUseCases } from './routing-use-cases.js';

/**
 * Email-to-case's use case: AppDeps with the MIME parser, and routing for a reopened case whose owner
 * cannot take it (its own module: only the email intake bundle carries the parser).
 */
export function makeEmailIntake(deps: AppDeps) {
  return makeReceiveEmail({
    ...deps,
    mime: makeMimeParser(),
    // The deps' email store: metered, so new email cases count in CasesCreated.
    email: deps.emailStore,
    routeCase: makeRoutingUseCases(deps).routeCase,
    ...(deps.defaultFromAddress ? { defaultFromAddress: deps.defaultFromAddress } : {}),
  });
}
