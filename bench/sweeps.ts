/**
 * Sweep benchmark: the cost of one sweep grows with the work due, not with the open cases.
 *
 * DynamoDB Local in memory, one table as production builds it, 20 agents online in 4 queues. The
 * open cases are seeded with BatchWriteItem (as the case repository would write them, index keys and
 * all): in progress, on hold with a far limit, offered with a far acceptance deadline. Then, for each
 * scenario, 50 (or 500) cases with work due now: offers past acceptTimeout (taken back and routed) and
 * holds past onHoldMax (escalated). One sweep runs with every DynamoDB call made with
 * ReturnConsumedCapacity; the counts come from what DynamoDB returned (items per Query/Get/BatchGet,
 * capacity units), split into
 *   - finding: the reads that find what is due (gsi5 due index, the absent-agent index, queue heads);
 *   - acting: the reads of moving each due case (the case, the configuration, routing's agent states
 *     and customer history) — a constant per due case.
 * Scenarios: 2,000 open + 50 due; 20,000 open + 50 due; 20,000 open + 500 due; and an idle sweep.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { caseItem } from '../functions/adapters/case-repository.js';
import { makeDocumentClient } from '../functions/adapters/dynamo.js';
import { agentStateKey } from '../functions/adapters/keys.js';
import { emptyLoad } from '../functions/core/agent-state.js';
import type { CaseRecord, CaseStatus } from '../functions/core/case.js';
import { formatCaseNumber } from '../functions/core/case.js';
import { parseRoutingConfig } from '../functions/core/config.js';
import type { Clock } from '../functions/core/ports/clock.js';
import { makeAppDeps } from '../functions/composition/deps.js';
import { makeSlaUseCases } from '../functions/composition/sla-use-cases.js';
import { LOCAL_CLIENT_SETTINGS, ensureTable, startDynamoDbLocal } from '../lib/local/dynamodb-local.js';

const NOW = new Date('2026-03-02T10:00:00.000Z');
const QUEUES = ['q1', 'q2', 'q3', 'q4'];
const AGENTS = Array.from({ length: 20 }, (_, i) => `agent${String(i + 1).padStart(2, '0')}`);

interface Tally {
  calls: number;
  items: number;
  capacity: number;
}

/** Every call's reads, by phase: `finding` (what is due) or `acting` (moving it). */
class Meter {
  byCommand = new Map<string, Tally>();
  finding: Tally = { calls: 0, items: 0, capacity: 0 };
  acting: Tally = { calls: 0, items: 0, capacity: 0 };
  writes: Tally = { calls: 0, items: 0, capacity: 0 };
  enabled = false;
  reset() {
    this.byCommand = new Map();
    this.finding = { calls: 0, items: 0, capacity: 0 };
    this.acting = { calls: 0, items: 0, capacity: 0 };
    this.writes = { calls: 0, items: 0, capacity: 0 };
  }
}

type Input = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- SDK middleware args

function capacityOf(output: Input): number {
  const cc = output.ConsumedCapacity;
  const list = Array.isArray(cc) ? cc : cc ? [cc] : [];
  return list.reduce((n: number, c: { CapacityUnits?: number }) => n + (c.CapacityUnits ?? 0), 0);
}

/** The document client's command names and the low-level ones it sends, as one vocabulary. */
const COMMAND: Record<string, string> = {
  GetItemCommand: 'Get',
  GetCommand: 'Get',
  QueryCommand: 'Query',
  BatchGetItemCommand: 'BatchGet',
  BatchGetCommand: 'BatchGet',
  TransactWriteItemsCommand: 'TransactWrite',
  TransactWriteCommand: 'TransactWrite',
  PutItemCommand: 'Put',
  PutCommand: 'Put',
  UpdateItemCommand: 'Update',
  UpdateCommand: 'Update',
  BatchWriteItemCommand: 'BatchWrite',
  BatchWriteCommand: 'BatchWrite',
};

/** The queries that find due work: the sparse due index (cases and absent agents) and one-item queue heads. */
function isFinding(name: string, input: Input): boolean {
  if (name !== 'Query') return false;
  if (input.IndexName === 'gsi5') return true;
  return input.IndexName === 'gsi2' && (input.Limit === 1 || input.Select === 'COUNT');
}

function meteredClient(endpoint: string, meter: Meter) {
  const client = makeDocumentClient({ endpoint });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = COMMAND[String(context.commandName)] ?? String(context.commandName);
      const input = args.input as Input;
      if (meter.enabled) input.ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      if (!meter.enabled) return result;
      const output = result.output as Input;
      const capacity = capacityOf(output);
      if (['TransactWrite', 'Put', 'Update', 'BatchWrite'].includes(name)) {
        meter.writes.calls++;
        meter.writes.capacity += capacity;
        meter.writes.items += name === 'TransactWrite' ? (input.TransactItems?.length ?? 0) : 1;
        return result;
      }
      let items = 0;
      if (name === 'Query') items = output.Count ?? output.Items?.length ?? 0;
      else if (name === 'Get') items = output.Item ? 1 : 0;
      else if (name === 'BatchGet') items = Object.values((output.Responses ?? {}) as Record<string, unknown[]>).reduce((n, r) => n + r.length, 0);
      const finding = isFinding(name, input);
      const tally = finding ? meter.finding : meter.acting;
      tally.calls++;
      tally.items += items;
      tally.capacity += capacity;
      const key = `${finding ? 'finding' : 'acting'} ${name}${input.IndexName ? ` ${input.IndexName}` : ''}${name === 'Get' ? ` ${String((input.Key as { pk?: unknown } | undefined)?.pk ?? '').split('#')[0]}` : ''}`;
      const per = meter.byCommand.get(key) ?? { calls: 0, items: 0, capacity: 0 };
      per.calls++;
      per.items += items;
      per.capacity += capacity;
      meter.byCommand.set(key, per);
      return result;
    },
    { step: 'initialize', name: 'benchConsumedCapacity' },
  );
  return client;
}

function openCase(n: number, status: CaseStatus, extra: Partial<CaseRecord> = {}): CaseRecord {
  const queue = QUEUES[n % QUEUES.length]!;
  const members = AGENTS.filter((_, i) => i % QUEUES.length === n % QUEUES.length);
  const owner = status === 'queued' ? undefined : members[Math.floor(n / QUEUES.length) % members.length];
  const createdAt = new Date(NOW.getTime() - (n % 5000) * 60_000).toISOString();
  return {
    caseId: ulid(),
    caseNumber: formatCaseNumber(1000 + n),
    channel: 'web',
    status,
    priority: 'medium',
    priorityRank: 2,
    subject: `Seeded case ${n}`,
    description: 'A case of the benchmark: open, and (mostly) with nothing due.',
    contact: { email: `customer${n}@example.org` },
    territory: 'all',
    queue,
    ...(owner ? { owner } : {}),
    routing: { excludedAgents: [], attempts: 1 },
    createdAt,
    updatedAt: createdAt,
    version: 1,
    ...extra,
  };
}

/** BatchWriteItem, 25 items a request, 16 requests in flight; unprocessed items are sent again. */
async function batchWrite(client: ReturnType<typeof makeDocumentClient>, tableName: string, items: Record<string, unknown>[]): Promise<void> {
  const chunks: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  let index = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (index < chunks.length) {
        let requests = chunks[index++]!.map((Item) => ({ PutRequest: { Item } }));
        for (let attempt = 0; requests.length > 0; attempt++) {
          const res = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
          requests = (res.UnprocessedItems?.[tableName] ?? []) as typeof requests;
          if (requests.length > 0) await new Promise((r) => setTimeout(r, Math.min(500, 20 * 2 ** attempt)));
        }
      }
    }),
  );
}

export async function runSweepsBench(log: (line: string) => void = console.log): Promise<Record<string, number>> {
  log('starting DynamoDB Local (in memory)...');
  const dynamo = await startDynamoDbLocal({ startTimeoutMs: 90_000 });
  const tableName = 'caseflow-bench-sweeps';
  const admin = new DynamoDBClient({ ...LOCAL_CLIENT_SETTINGS, endpoint: dynamo.endpoint });
  const meter = new Meter();
  const client = meteredClient(dynamo.endpoint, meter);
  try {
    await ensureTable(admin, tableName);
    let now = NOW;
    const clock: Clock = { now: () => now };
    const deps = makeAppDeps({
      table: { client, tableName },
      clock,
      alerts: { publish: async () => undefined },
      notifier: { notify: async () => undefined },
      workflow: { startCase: async () => undefined },
    });
    const config = parseRoutingConfig({
      territories: [{ id: 'all', name: 'All', queue: 'q1' }],
      queues: QUEUES.map((id, i) => ({ id, name: id, routing: 'least_busy', members: AGENTS.filter((_, j) => j % QUEUES.length === i) })),
      agents: AGENTS.map((id) => ({ id, name: id, email: `${id}@example.com`, capacity: { web: 5000, email: 5000 } })),
      sweeps: { acceptTimeout: 'PT5M', absentAfter: 'PT15M', onHoldMax: 'P3D', relaxSkillsAfter: 'PT30M' },
    });
    await deps.configs.put(config, 0, 'bench', NOW.toISOString());
    const { sweep } = makeSlaUseCases(deps);

    let seeded = 0;
    const load: Record<string, number> = Object.fromEntries(AGENTS.map((a) => [a, 0]));
    const far = new Date(NOW.getTime() + 30 * 86_400_000).toISOString();
    const past = new Date(NOW.getTime() - 60_000).toISOString();

    /** Open cases with nothing due now: 70% in progress, 20% on hold (limit far ahead), 10% offered (deadline far ahead). */
    async function seedOpen(count: number) {
      const t = Date.now();
      const items: Record<string, unknown>[] = [];
      for (let i = 0; i < count; i++) {
        const n = seeded++;
        const r = n % 10;
        const c =
          r < 7
            ? openCase(n, 'in_progress')
            : r < 9
              ? openCase(n, 'on_hold', { due: { kind: 'hold', at: far } })
              : openCase(n, 'assigned', { due: { kind: 'accept', at: far } });
        if (c.owner) load[c.owner]!++;
        items.push(caseItem(c));
      }
      await batchWrite(client, tableName, items);
      await writeAgents();
      log(`seeded ${count} open cases with nothing due (BatchWriteItem) in ${((Date.now() - t) / 1000).toFixed(1)} s; ${seeded} in the table`);
    }

    /** Cases with work due now: 60% offers past their acceptance deadline, 40% holds past their limit. */
    async function seedDue(count: number) {
      const items: Record<string, unknown>[] = [];
      for (let i = 0; i < count; i++) {
        const n = seeded++;
        const c = i % 5 < 3 ? openCase(n, 'assigned', { due: { kind: 'accept', at: past } }) : openCase(n, 'on_hold', { due: { kind: 'hold', at: past } });
        if (c.owner) load[c.owner]!++;
        items.push(caseItem(c));
      }
      await batchWrite(client, tableName, items);
      await writeAgents();
    }

    async function writeAgents() {
      for (const agentId of AGENTS) {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...agentStateKey(agentId),
              entity: 'agentState',
              agentId,
              presence: 'online',
              presenceSince: NOW.toISOString(),
              load: { ...emptyLoad(), web: load[agentId] },
              version: 1,
            },
          }),
        );
      }
    }

    async function measure(label: string, options: { limit?: number; detail?: boolean } = {}) {
      meter.reset();
      meter.enabled = true;
      const t = process.hrtime.bigint();
      const report = await sweep(options.limit ? { limit: options.limit } : {});
      const ms = Number(process.hrtime.bigint() - t) / 1e6;
      meter.enabled = false;
      const moved = report.acceptTimeouts.filter((r) => r.moved).length + report.onHoldLimits.filter((h) => h.escalated).length;
      const { finding, acting, writes } = meter;
      log(
        `${label}: moved ${moved}; items read finding ${finding.items} (${finding.calls} queries, ${finding.capacity.toFixed(1)} RCU), acting ${acting.items} (${acting.calls} calls, ${acting.capacity.toFixed(1)} RCU), total ${finding.items + acting.items}; ${writes.calls} writes; ${ms.toFixed(0)} ms`,
      );
      if (options.detail) {
        for (const [key, t] of [...meter.byCommand].sort())
          log(`  ${key.padEnd(28)} ${String(t.calls).padStart(5)} calls ${String(t.items).padStart(6)} items ${t.capacity.toFixed(1).padStart(8)} RCU`);
      }
      return { moved, finding: finding.items, acting: acting.items, total: finding.items + acting.items, capacity: finding.capacity + acting.capacity, ms };
    }

    await seedOpen(2_000);
    await seedDue(50);
    now = new Date(NOW.getTime() + 1000);
    const small = await measure('2,000 open, 50 due');
    const idleSmall = await measure('2,000 open, nothing due (the next sweep)');

    await seedOpen(18_000);
    await seedDue(50);
    const large = await measure('20,000 open, 50 due', { detail: true });
    const idleLarge = await measure('20,000 open, nothing due (the next sweep)');

    await seedDue(500);
    // A run takes at most 200 items per part by default; this one may take them all.
    const many = await measure('20,000 open, 500 due', { limit: 1000 });

    log(
      `finding reads: ${small.finding} items with 2,000 open and ${large.finding} with 20,000 (50 due each), ${many.finding} with 500 due; idle sweeps read ${idleSmall.total} and ${idleLarge.total} items`,
    );
    log(`acting reads per moved case: ${(large.acting / Math.max(1, large.moved)).toFixed(1)} items (the case, routing's agent states and customer history)`);
    return {
      'sweeps.open_2000_due_50.items_read_finding': small.finding,
      'sweeps.open_2000_due_50.items_read_total': small.total,
      'sweeps.open_20000_due_50.items_read_finding': large.finding,
      'sweeps.open_20000_due_50.items_read_total': large.total,
      'sweeps.open_20000_due_50.read_capacity_units': large.capacity,
      'sweeps.open_20000_due_50.ms': large.ms,
      'sweeps.open_20000_due_500.items_read_finding': many.finding,
      'sweeps.open_20000_due_500.items_read_total': many.total,
      'sweeps.open_20000_idle.items_read_total': idleLarge.total,
    };
  } finally {
    client.destroy();
    admin.destroy();
    await dynamo.stop();
  }
}

// `npx tsx bench/sweeps.ts` runs this part alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  runSweepsBench().then(
    (figures) => console.log(figures),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
