/**
 * What the core needs from the outside world, injected: time and identifiers. The core never calls
 * Date.now() or generates random ids itself, so every decision is reproducible in a test.
 */
export interface Clock {
  /** The current instant. */
  now(): Date;
}

export interface IdGenerator {
  /** A new sortable unique id (ULID in production). */
  next(): string;
}

/** Waits `ms` milliseconds (setTimeout in production; tests may record or shorten it). */
export type Sleep = (ms: number) => Promise<void>;
