/**
 * What a local service plugged into the stack (the SMTP listener, the sweep timer) is given and gives
 * back. On its own so the services and the stack that starts them do not import each other.
 */
import type { AppDeps } from '../../functions/composition/deps.js';
import type { LocalWorkflow } from './stepfunctions/workflow.js';

/** What a plugged-in local service (SMTP listener, sweeps, ...) is given when the stack starts it. */
export interface LocalServiceContext {
  deps: AppDeps;
  workflow: LocalWorkflow;
  dataDir: string;
  /** The gateway's base URL (`http://127.0.0.1:<port>`). */
  url: string;
  quiet: boolean;
  log: (line: string) => void;
}

export interface StartedLocalService {
  /** e.g. `smtp://127.0.0.1:2525`; shown in the ready line and written to local-stack.json. */
  url?: string;
  /** Anything else worth recording in local-stack.json. */
  info?: Record<string, unknown>;
  stop(): Promise<void>;
}

export interface LocalService {
  /** Short and unique: `smtp`, `sweeps`. */
  name: string;
  start(context: LocalServiceContext): Promise<StartedLocalService>;
}
