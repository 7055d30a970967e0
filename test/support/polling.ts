/**
 * Waiting for what another process or the local stack does in its own time (a case routed, a
 * process started or gone), on the wall clock. Tests of the workflow's timers move the virtual
 * clock instead (lib/local/virtual-clock.ts) and never poll.
 */

export interface UntilOptions {
  /** Give up after this long (default 60 s). */
  timeoutMs?: number;
  /** Time between probes (default 100 ms). */
  intervalMs?: number;
  /** What to add to the timeout's message (a child process's output so far). */
  context?: () => string;
}

/** Probes until it answers something other than undefined; throws `timed out waiting for <what>` at the deadline. */
export async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, options: UntilOptions = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      const context = options.context?.();
      throw new Error(`timed out waiting for ${what}${context ? `; ${context}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 100));
  }
}

/** Whether a process with this id is running (signal 0 checks without sending anything). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
