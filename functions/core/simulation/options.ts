import { durationMs } from '../duration.js';

/**
 * Parsing of the simulator's option values (durations, rates, targets), shared by the CLI and the
 * core, with errors that name the option at fault.
 */

/** A bad option value: `option` is its name as the user wrote it (`--handle`), `message` says what is wrong. */
export class SimulationOptionError extends Error {
  override readonly name = 'SimulationOptionError';
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`${option}: ${message}`);
  }
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `PT30M`, `P1DT2H`, or a number with a unit (`90s`, `30m`, `1.5h`, `2d`): milliseconds. */
export function parseDuration(text: string, option: string): number {
  const t = text.trim();
  const plain = /^(\d+(?:\.\d+)?)\s*(ms|s|min|m|h|d|w)$/i.exec(t);
  if (plain) return Number(plain[1]) * UNITS[plain[2]!.toLowerCase()]!;
  if (/^P(?!$)(\d+(\.\d+)?[YMWD])*(T(?=\d)(\d+(\.\d+)?[HMS])+)?$/i.test(t)) {
    try {
      const ms = durationMs(t.toUpperCase());
      if (Number.isFinite(ms)) return ms;
    } catch {
      // reported below
    }
  }
  throw new SimulationOptionError(option, `"${text}" is not a duration (use ISO 8601 such as PT30M or P2D, or 30m, 1.5h, 2d)`);
}

/** A finite number in [min, max]. */
export function parseNumber(text: string, option: string, min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY): number {
  const n = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(n)) throw new SimulationOptionError(option, `"${text}" is not a number`);
  if (n < min || n > max) {
    const range = Number.isFinite(max) ? `between ${min} and ${max}` : `at least ${min}`;
    throw new SimulationOptionError(option, `${text} must be ${range}`);
  }
  return n;
}

export function parseWholeNumber(text: string, option: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const n = parseNumber(text, option, min, max);
  if (!Number.isInteger(n)) throw new SimulationOptionError(option, `${text} must be a whole number`);
  return n;
}

/** A service-level target: `80% within PT1H` (also `80 % in 1h`, `0.8 within 60m`). */
export interface ServiceTarget {
  /** Share of cases, 0..1. */
  share: number;
  withinMs: number;
  text: string;
}

export function parseTarget(text: string, option = '--target'): ServiceTarget {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*(?:within|in|<=|≤)\s*(\S+)\s*$/i.exec(text);
  if (!m) throw new SimulationOptionError(option, `"${text}" is not a target; write it like "80% within PT1H"`);
  const value = Number(m[1]);
  const share = m[2] === '%' || value > 1 ? value / 100 : value;
  if (!(share > 0 && share < 1)) throw new SimulationOptionError(option, `the share in "${text}" must be above 0 % and below 100 %`);
  const withinMs = parseDuration(m[3]!, option);
  if (withinMs <= 0) throw new SimulationOptionError(option, `the time in "${text}" must be more than zero`);
  return { share, withinMs, text: `${round(share * 100, 2)}% within ${m[3]}` };
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** An ISO-8601 instant (a date alone is midnight UTC): epoch milliseconds. */
export function parseInstant(text: string, option: string): number {
  const t = text.trim();
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(t) ? Date.parse(`${t}T00:00:00Z`) : /^\d{4}-\d{2}-\d{2}T/.test(t) ? Date.parse(t) : Number.NaN;
  if (Number.isNaN(ms)) throw new SimulationOptionError(option, `"${text}" is not a date or an ISO-8601 instant (2026-01-05 or 2026-01-05T08:00:00Z)`);
  return ms;
}
