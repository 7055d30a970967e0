/**
 * `npm run config -- <command>`: the routing configuration of a running stack.
 *
 *   validate FILE               check a configuration file; every error names its JSON path
 *   apply FILE [--url URL]      validate, then PUT /admin/config (stored as a new version)
 *   get [--url URL]             print the current configuration and its version
 *
 * Against the local stack no token is needed: one is signed for an admin of the running stack with
 * the data directory's key. Against AWS pass `--token` (a Cognito ID token of an admin) or set
 * CASEFLOW_TOKEN, and `--url` (the HTTP API URL from the stack outputs).
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { makeConfigRepository } from '../functions/adapters/config-repository.js';
import { makeDocumentClient } from '../functions/adapters/dynamo.js';
import { parseRoutingConfig } from '../functions/core/config.js';
import { ValidationError } from '../functions/core/errors.js';
import { loadOrCreateKeyPair, signLocalToken } from '../lib/local/jwt.js';
import { DEFAULT_DATA_DIR, findRunningStack } from '../lib/local/stack-info.js';

const USAGE = `Usage: npm run config -- <validate|apply|get> [FILE] [options]

Commands:
  validate FILE     check a configuration file without applying it
  apply FILE        validate it, then apply it to a running stack (PUT /admin/config)
  get               print the stack's current configuration

Options:
  --url URL         the API (default: the local stack found through --data-dir, else http://127.0.0.1:3000)
  --token TOKEN     bearer token of an admin (default: $CASEFLOW_TOKEN, or one signed for the local stack)
  --if-version N    apply only if the stored configuration is still version N (else 412)
  --data-dir DIR    the local stack's data directory (default .caseflow)
  -h, --help        show this help`;

class UsageError extends Error {}

async function readDocument(file: string | undefined): Promise<unknown> {
  if (!file) throw new UsageError('name the configuration file');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file} is not JSON: ${(error as Error).message}`);
  }
}

/** A token for an admin of the running local stack, signed with its data directory's key. */
async function localAdminToken(dataDir: string): Promise<string> {
  const running = await findRunningStack(dataDir);
  if (!running) throw new UsageError(`no local stack runs with data dir ${dataDir}; start one with npm start, or pass --token`);
  const client = makeDocumentClient({ endpoint: running.dynamoEndpoint });
  try {
    const stored = await makeConfigRepository({ client, tableName: running.tableName }).getCurrent();
    const admin = stored?.config.agents.find((a) => a.roles.includes('admin'));
    if (!admin) throw new UsageError('the running stack has no admin in its configuration; pass --token');
    return signLocalToken(await loadOrCreateKeyPair(dataDir), { agentId: admin.id, roles: admin.roles, email: admin.email, ttl: '10m' });
  } finally {
    client.destroy();
  }
}

async function call(url: string, token: string, init: RequestInit): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { ...init, headers: { ...init.headers, authorization: `Bearer ${token}` } });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body };
}

function printIssues(error: ValidationError): void {
  console.error(`The configuration has ${error.issues.length} problem${error.issues.length === 1 ? '' : 's'}:`);
  for (const issue of error.issues) console.error(`  ${issue.field}: ${issue.message}`);
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    options: {
      url: { type: 'string' },
      token: { type: 'string' },
      'if-version': { type: 'string' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [command, file] = positionals;
  const dataDir = values['data-dir'] ?? DEFAULT_DATA_DIR;

  if (command === 'validate' || command === 'apply') {
    const document = await readDocument(file);
    try {
      const config = parseRoutingConfig(document);
      console.error(
        `${file}: valid (${config.territories.length} territories, ${config.queues.length} queues, ${config.agents.length} agents, ${config.rules.length} rules, ${config.slaPolicies.length} SLA policies)`,
      );
    } catch (error) {
      if (error instanceof ValidationError) {
        printIssues(error);
        return 1;
      }
      throw error;
    }
    if (command === 'validate') return 0;
  } else if (command !== 'get') {
    throw new UsageError(command ? `unknown command ${command}` : 'name a command: validate, apply or get');
  }

  const running = await findRunningStack(dataDir);
  const base = (values.url ?? running?.url ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
  const token = values.token ?? process.env.CASEFLOW_TOKEN ?? (await localAdminToken(dataDir));

  if (command === 'get') {
    const res = await call(`${base}/admin/config`, token, { method: 'GET' });
    if (res.status !== 200) return report(res);
    console.log(JSON.stringify(res.body, null, 2));
    return 0;
  }

  const ifVersion = values['if-version'];
  const res = await call(`${base}/admin/config`, token, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...(ifVersion ? { 'if-match': `"${ifVersion}"` } : {}) },
    body: await readFile(file!, 'utf8'),
  });
  if (res.status !== 200) return report(res);
  const body = res.body as { version: number; reconciled: { rerouted: string[]; requeued: string[]; dispatched: string[] } };
  console.log(
    `applied ${file} as configuration version ${body.version} at ${base}: ${body.reconciled.rerouted.length} cases rerouted, ` +
      `${body.reconciled.requeued.length} requeued, ${body.reconciled.dispatched.length} dispatched`,
  );
  return 0;
}

function report(res: { status: number; body: unknown }): number {
  const body = res.body as { message?: string; fields?: { field: string; message: string }[] };
  console.error(`the stack answered ${res.status}: ${body?.message ?? JSON.stringify(res.body)}`);
  for (const f of body?.fields ?? []) console.error(`  ${f.field}: ${f.message}`);
  return 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`config: ${(error as Error).message}\n\n${USAGE}`);
      process.exit(2);
    }
    console.error(`config: ${(error as Error).message}`);
    process.exit(1);
  },
);
