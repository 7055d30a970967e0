/**
 * `npm run -s token -- <agentId> [--data-dir DIR] [--ttl 8h]`: a bearer token for the local stack's
 * API, signed with the data directory's key (lib/local/jwt.ts), for an agent of the routing
 * configuration with that agent's roles. The configuration is the running stack's (read from its
 * DynamoDB Local, found through DIR/local-stack.json), or the demo configuration when no stack runs.
 *
 * Only the token goes to stdout, so `TOKEN=$(npm run -s token -- luke)` works; notes go to stderr.
 */
import { parseArgs } from 'node:util';
import { makeConfigRepository } from '../functions/adapters/config-repository.js';
import { makeDocumentClient } from '../functions/adapters/dynamo.js';
import type { RoutingConfig } from '../functions/core/config.js';
import { loadOrCreateKeyPair, parseTtl, signLocalToken } from '../lib/local/jwt.js';
import { DEFAULT_DATA_DIR, DEMO_CONFIG_PATH, findRunningStack, readConfigFile } from '../lib/local/stack-info.js';

const USAGE = `Usage: npm run -s token -- <agentId> [options]

Prints a bearer token for the local stack's API (valid for the agent's roles in the configuration).

Options:
  --data-dir DIR   the local stack's data directory (default .caseflow): its signing key and,
                   while the stack runs, its configuration
  --ttl DURATION   how long the token is valid: 90s, 30m, 8h, 2d (default 8h, at most 30d)
  -h, --help       show this help

Example:
  TOKEN=$(npm run -s token -- luke)
  curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:3000/agents/me`;

async function configuration(dataDir: string): Promise<{ config: RoutingConfig; source: string }> {
  const running = await findRunningStack(dataDir);
  if (running) {
    const client = makeDocumentClient({ endpoint: running.dynamoEndpoint });
    try {
      const stored = await makeConfigRepository({ client, tableName: running.tableName }).getCurrent();
      if (stored) return { config: stored.config, source: `the running stack (configuration version ${stored.version})` };
    } catch (error) {
      console.error(`token: could not read the running stack's configuration (${(error as Error).message}); using the demo configuration`);
    } finally {
      client.destroy();
    }
  }
  return { config: await readConfigFile(DEMO_CONFIG_PATH), source: 'config/demo.config.json (no stack running)' };
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        'data-dir': { type: 'string' },
        ttl: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    console.error(`token: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    console.error(`token: name exactly one agent id${positionals.length ? ` (got ${positionals.join(' ')})` : ''}\n\n${USAGE}`);
    return 2;
  }
  const agentId = positionals[0]!;
  let ttl: number;
  try {
    ttl = parseTtl(values.ttl ?? '8h');
  } catch (error) {
    console.error(`token: --ttl: ${(error as Error).message}`);
    return 2;
  }

  const dataDir = values['data-dir'] ?? DEFAULT_DATA_DIR;
  const { config, source } = await configuration(dataDir);
  const agent = config.agents.find((a) => a.id === agentId);
  if (!agent) {
    const known = config.agents.map((a) => `${a.id} (${a.roles.join(', ')})`).join(', ');
    console.error(`token: unknown user ${JSON.stringify(agentId)} in ${source}.\nKnown ids: ${known}`);
    return 2;
  }

  const keys = await loadOrCreateKeyPair(dataDir);
  const token = await signLocalToken(keys, { agentId: agent.id, roles: agent.roles, email: agent.email, ttl });
  const until = new Date(Date.now() + ttl * 1000).toISOString();
  console.error(`token for ${agent.id} (${agent.roles.join(', ')}) from ${source}, valid until ${until}`);
  console.log(token);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('token failed:', error);
    process.exit(1);
  },
);
