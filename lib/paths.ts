import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. ESM has no __dirname, so it is derived from this module's URL (lib/ is one level down). */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export const HANDLERS_DIR = join(REPO_ROOT, 'functions', 'handlers');

/** The one workflow definition, shared with the local stack (aws-local-stepfunctions). */
export const CASE_LIFECYCLE_ASL_PATH = join(REPO_ROOT, 'statemachines', 'case-lifecycle.asl.json');
