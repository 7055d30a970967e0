/**
 * What tools outside the running stack need to find it and its configuration, without loading the
 * stack itself: `<dataDir>/local-stack.json` (written while a stack runs) and the configuration files.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RoutingConfig } from '../../functions/core/config.js';
import { parseRoutingConfig } from '../../functions/core/config.js';
import { ValidationError } from '../../functions/core/errors.js';
import { REPO_ROOT } from '../paths.js';

export const DEFAULT_DATA_DIR = '.caseflow';
export const DEMO_CONFIG_PATH = join(REPO_ROOT, 'config', 'demo.config.json');
/** Written while a stack runs: how other tools (the token CLI, smoke tests) find it. */
export const STACK_INFO_FILE = 'local-stack.json';
/** Where `npm run triage -- train` keeps model versions inside the data directory. */
export const TRIAGE_MODELS_DIR = 'triage-models';

/** What local-stack.json holds. */
export interface LocalStackInfo {
  url: string;
  port: number;
  dynamoEndpoint: string;
  /** StartExecution of the stack's workflow for other local processes (AWS JSON 1.0, loopback); absent in stacks from before it existed. */
  stepFunctionsEndpoint?: string;
  stateMachineArn?: string;
  tableName: string;
  pid: number;
  dataDir: string;
  memory: boolean;
  startedAt: string;
  services: Record<string, { url?: string } & Record<string, unknown>>;
}

export const stackInfoPath = (dataDir: string) => join(resolve(dataDir), STACK_INFO_FILE);

/** The stack's local-stack.json as written, or undefined when there is none or it is unreadable. */
export async function readStackInfo(dataDir: string): Promise<LocalStackInfo | undefined> {
  try {
    const info = JSON.parse(await readFile(stackInfoPath(dataDir), 'utf8')) as LocalStackInfo;
    return typeof info.pid === 'number' && typeof info.url === 'string' ? info : undefined;
  } catch {
    return undefined;
  }
}

/** The running stack on `dataDir`: its info when the process that wrote it is still alive. */
export async function findRunningStack(dataDir: string): Promise<LocalStackInfo | undefined> {
  const info = await readStackInfo(dataDir);
  return info && isAlive(info.pid) ? info : undefined;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is just not ours to signal.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Reads and validates a routing configuration file; errors name the file and every field at fault. */
export async function readConfigFile(path: string): Promise<RoutingConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the configuration file ${path}: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`the configuration file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  try {
    return parseRoutingConfig(raw);
  } catch (error) {
    if (error instanceof ValidationError) {
      throw new Error(`the configuration file ${path} is invalid:\n${error.issues.map((i) => `  ${i.field}: ${i.message}`).join('\n')}`);
    }
    throw error;
  }
}
