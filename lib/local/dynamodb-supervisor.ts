/**
 * DynamoDB Local under supervision: the local stack's store must not die quietly under a running
 * stack (every request would then fail until someone noticed). The supervisor watches the Java
 * process and restarts it, on the same port and data directory, when it ends or stops answering;
 * when it cannot (crashes keep coming, or the data lived only in memory) it gives up loudly and the
 * stack stops with a clear message and a non-zero exit.
 *
 * The policy (DEFAULT_RESTART_POLICY):
 * - an exit the stack did not ask for is a crash; so is an emulator that has not answered a
 *   ListTables for `liveness.failures` probes in a row (it is then killed with SIGKILL first);
 * - after a crash, wait 1 s, 2 s, 4 s, ... (at most 8 s) and start it again on the same port and
 *   data directory; a start that fails counts as another crash;
 * - more than 3 crashes within 5 minutes: give up;
 * - an emulator in memory is never restarted: its data died with it, and a fresh empty store under
 *   a running stack would be a lie. The stack stops instead.
 *
 * While it is down, the stack keeps answering: HTTP 503 with Retry-After, SMTP 451, workflow steps
 * retrying (the store errors are StoreUnavailableError everywhere, functions/adapters/dynamo.ts).
 */
import { ListTablesCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDbLocal, DynamoDbLocalOptions } from './dynamodb-local.js';
import { LOCAL_CLIENT_SETTINGS, startDynamoDbLocal } from './dynamodb-local.js';

export interface RestartPolicy {
  /** Restarts allowed within `windowMs`; one more crash inside the window gives up. */
  maxRestarts: number;
  windowMs: number;
  /** Wait before the n-th restart of the window: initialDelayMs × 2^(n−1), at most maxDelayMs. */
  initialDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { maxRestarts: 3, windowMs: 5 * 60_000, initialDelayMs: 1_000, maxDelayMs: 8_000 };

export interface LivenessProbe {
  /** Time between probes. */
  intervalMs: number;
  /** A probe that takes longer has failed. */
  timeoutMs: number;
  /** Failed probes in a row after which the emulator is taken for dead. */
  failures: number;
}

/**
 * Lenient on purpose: a loaded machine can slow the JVM for seconds, and killing a slow but healthy
 * emulator would cause the outage it is meant to end. A minute of silence is not slowness.
 */
export const DEFAULT_LIVENESS: LivenessProbe = { intervalMs: 10_000, timeoutMs: 10_000, failures: 3 };

export type SupervisorEvent =
  | { kind: 'crashed'; pid: number | undefined; code: number | null; signal: NodeJS.Signals | null; uptimeMs: number }
  | { kind: 'unresponsive'; pid: number | undefined; failedProbes: number }
  | { kind: 'restarting'; attempt: number; delayMs: number }
  | { kind: 'restart-failed'; attempt: number; error: Error }
  | { kind: 'restarted'; pid: number | undefined; attempt: number; downMs: number }
  | { kind: 'gave-up'; error: Error };

/** One outage the supervisor ended: when it began, when the store answered again, and the process before and after. */
export interface Recovery {
  crashedAt: string;
  recoveredAt: string;
  downMs: number;
  oldPid: number | undefined;
  newPid: number | undefined;
  attempts: number;
}

export interface SupervisorOptions extends DynamoDbLocalOptions {
  policy?: Partial<RestartPolicy>;
  /** `false` turns the probe off (the exit of the process is still watched). */
  liveness?: Partial<LivenessProbe> | false;
  /**
   * Runs after each restart, before the store is declared back: the stack checks its table there. A
   * throw gives up (the emulator came back without the data it should have).
   */
  onRestarted?: (endpoint: string) => Promise<void>;
  /** Every crash, restart and give-up, for the stack's log. */
  onEvent?: (event: SupervisorEvent) => void;
}

export interface SupervisedDynamoDbLocal {
  endpoint: string;
  port: number;
  /** The Java process now (a new one after each restart); undefined while none runs. */
  pid(): number | undefined;
  /** `up`, `restarting` (down, coming back), `failed` (gave up) or `stopped`. */
  state(): 'up' | 'restarting' | 'failed' | 'stopped';
  /** Outages ended so far, oldest first. */
  recoveries(): readonly Recovery[];
  /** Settles once, with the reason, if the supervisor gives up; never settles otherwise. */
  fatal: Promise<Error>;
  /** Stops supervising and the Java process. Safe to call twice. */
  stop(): Promise<void>;
}

/** The supervisor gave up: the message says why and what the operator can do. */
export class DynamoDbLocalGaveUpError extends Error {
  override readonly name = 'DynamoDbLocalGaveUpError';
}

export async function superviseDynamoDbLocal(options: SupervisorOptions = {}): Promise<SupervisedDynamoDbLocal> {
  const policy: RestartPolicy = { ...DEFAULT_RESTART_POLICY, ...options.policy };
  const liveness: LivenessProbe | undefined = options.liveness === false ? undefined : { ...DEFAULT_LIVENESS, ...options.liveness };
  const emit = options.onEvent ?? (() => undefined);
  const inMemory = options.dataDir === undefined;

  let current: DynamoDbLocal | undefined = await startDynamoDbLocal(options);
  const { endpoint, port } = current;
  let startedAt = Date.now();
  let state: 'up' | 'restarting' | 'failed' | 'stopped' = 'up';
  const crashes: number[] = [];
  const recoveries: Recovery[] = [];
  let giveUp!: (error: Error) => void;
  const fatal = new Promise<Error>((done) => (giveUp = done));
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  /** A restart in progress, which stop() waits for (so no Java process outlives the stack). */
  let starting: Promise<unknown> | undefined;

  const sleep = (ms: number) =>
    new Promise<void>((done) => {
      wake = done;
      timer = setTimeout(done, ms);
    });

  function fail(error: Error): void {
    if (state === 'stopped' || state === 'failed') return;
    state = 'failed';
    stopProbe();
    emit({ kind: 'gave-up', error });
    giveUp(error);
  }

  function watch(handle: DynamoDbLocal): void {
    handle.exited.then(({ code, signal }) => {
      if (handle !== current || state === 'stopped' || state === 'failed') return;
      emit({ kind: 'crashed', pid: handle.pid, code, signal, uptimeMs: Date.now() - startedAt });
      // Unhooks its exit handlers; the process is gone already.
      void handle.stop();
      current = undefined;
      void recover(handle.pid, code, signal);
    });
  }

  async function recover(oldPid: number | undefined, code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    const crashedAt = Date.now();
    const how = `exit code ${code ?? 'none'}, signal ${signal ?? 'none'}`;
    if (inMemory) {
      fail(
        new DynamoDbLocalGaveUpError(
          `DynamoDB Local (in memory, pid ${oldPid ?? '?'}) ended unexpectedly (${how}). Its data ended with it, so it is not restarted: ` +
            'start the stack again (without --memory to keep data across such a crash).',
        ),
      );
      return;
    }
    state = 'restarting';
    stopProbe();
    for (let attempt = 1; ; attempt++) {
      const now = Date.now();
      crashes.push(now);
      while (crashes.length > 0 && crashes[0]! <= now - policy.windowMs) crashes.shift();
      if (crashes.length > policy.maxRestarts) {
        fail(
          new DynamoDbLocalGaveUpError(
            `DynamoDB Local at ${endpoint} ended ${crashes.length} times within ${Math.round(policy.windowMs / 1000)} s (last: ${how}); ` +
              `the stack stops rather than restart it again. Look at the emulator's data in ${options.dataDir} and at Java (java -version), then start the stack again.`,
          ),
        );
        return;
      }
      const delayMs = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (crashes.length - 1));
      emit({ kind: 'restarting', attempt, delayMs });
      await sleep(delayMs);
      if (state !== 'restarting') return;
      let handle: DynamoDbLocal;
      try {
        // The same port and directory: every client keeps its endpoint, and the data is where it was.
        const start = startDynamoDbLocal({ ...options, port });
        starting = start.catch(() => undefined);
        handle = await start;
      } catch (error) {
        emit({ kind: 'restart-failed', attempt, error: error as Error });
        continue;
      }
      // Current at once: a stop() that came meanwhile stops this process too (it waits for the start).
      current = handle;
      if (state !== 'restarting') return;
      startedAt = Date.now();
      watch(handle);
      try {
        await options.onRestarted?.(endpoint);
      } catch (error) {
        fail(new DynamoDbLocalGaveUpError(`DynamoDB Local came back at ${endpoint}, but ${(error as Error).message}; the stack stops.`));
        await handle.stop();
        return;
      }
      if (handle !== current) return; // it crashed again during the check: that crash is being handled
      state = 'up';
      const recoveredAt = Date.now();
      recoveries.push({
        crashedAt: new Date(crashedAt).toISOString(),
        recoveredAt: new Date(recoveredAt).toISOString(),
        downMs: recoveredAt - crashedAt,
        oldPid,
        newPid: handle.pid,
        attempts: attempt,
      });
      emit({ kind: 'restarted', pid: handle.pid, attempt, downMs: recoveredAt - crashedAt });
      startProbe();
      return;
    }
  }

  // The liveness probe: an emulator whose process lives but which has stopped answering is killed,
  // and its exit is then handled like any crash.
  let probeTimer: NodeJS.Timeout | undefined;
  let probeClient: DynamoDBClient | undefined;
  function startProbe(): void {
    if (!liveness || probeTimer) return;
    probeClient ??= new DynamoDBClient({
      ...LOCAL_CLIENT_SETTINGS,
      endpoint,
      maxAttempts: 1,
      requestHandler: { connectionTimeout: liveness.timeoutMs, requestTimeout: liveness.timeoutMs, throwOnRequestTimeout: true },
    });
    let failed = 0;
    let running = false;
    probeTimer = setInterval(() => {
      if (running || state !== 'up' || !current) return;
      running = true;
      const probed = current;
      probeClient!
        .send(new ListTablesCommand({ Limit: 1 }))
        .then(
          () => {
            failed = 0;
          },
          () => {
            if (probed !== current || state !== 'up') return;
            failed++;
            if (failed >= liveness.failures) {
              failed = 0;
              emit({ kind: 'unresponsive', pid: probed.pid, failedProbes: liveness.failures });
              probed.kill('SIGKILL');
            }
          },
        )
        .finally(() => {
          running = false;
        });
    }, liveness.intervalMs);
    probeTimer.unref();
  }
  function stopProbe(): void {
    if (probeTimer) clearInterval(probeTimer);
    probeTimer = undefined;
  }

  watch(current);
  startProbe();

  let stopping: Promise<void> | undefined;
  return {
    endpoint,
    port,
    pid: () => current?.pid,
    state: () => state,
    recoveries: () => [...recoveries],
    fatal,
    stop: () =>
      (stopping ??= (async () => {
        state = 'stopped';
        stopProbe();
        if (timer) clearTimeout(timer);
        wake?.();
        probeClient?.destroy();
        await starting;
        await current?.stop();
        current = undefined;
      })()),
  };
}
