/**
 * `npm run migrate:shards`: moves the items written before the index partitions were sharded
 * (docs/architecture.md#sharded-partitions) to their shards.
 *
 * - Locally (default): the running local stack's table (read from local-stack.json under `--data-dir`, default .caseflow).
 * - In AWS: `--table NAME` (credentials and region from the environment, as the AWS CLI takes them).
 *
 * Cases by status and due work are moved whole; events by day for the days from `--from` to `--to`
 * (yyyy-mm-dd, UTC; `--to` defaults to today; without `--from` no event day is moved). Safe to run
 * again and while the system runs: readers query the bare partitions too, until a release drops them.
 */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

/** Every day from `from` to `to`, both included (yyyy-mm-dd). */
export function daysBetween(from: string, to: string): string[] {
  const day = /^\d{4}-\d{2}-\d{2}$/;
  if (!day.test(from) || !day.test(to)) throw new Error('--from and --to are days: yyyy-mm-dd');
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      table: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log('Usage: npm run migrate:shards -- [--data-dir DIR | --table NAME] [--from yyyy-mm-dd [--to yyyy-mm-dd]]');
    return 0;
  }
  const { makeDocumentClient } = await import('../functions/adapters/dynamo.js');
  const { migrateToShards } = await import('../functions/adapters/shard-migration.js');
  let table: { client: ReturnType<typeof makeDocumentClient>; tableName: string };
  if (values.table) table = { client: makeDocumentClient({ region: process.env.AWS_REGION }), tableName: values.table };
  else {
    const { DEFAULT_DATA_DIR, findRunningStack } = await import('../lib/local/stack-info.js');
    const info = await findRunningStack(values['data-dir'] ?? DEFAULT_DATA_DIR);
    if (!info) {
      console.error('migrate:shards: no local stack runs: start it (npm start), or name a table in AWS with --table');
      return 1;
    }
    table = { client: makeDocumentClient({ endpoint: info.dynamoEndpoint }), tableName: info.tableName };
  }
  const days = values.from ? daysBetween(values.from, values.to ?? new Date().toISOString().slice(0, 10)) : [];
  console.log(`[migrate:shards] ${table.tableName}: cases by status, due work${days.length ? `, events of ${days.length} day(s)` : ''}`);
  const report = await migrateToShards(table, days, (partition, moved) => console.log(`[migrate:shards] ${partition}: ${moved} moved`));
  console.log(`[migrate:shards] done: ${report.moved} moved, ${report.skipped} had moved themselves`);
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`migrate:shards: ${(error as Error).message}`);
      process.exit(1);
    },
  );
}
