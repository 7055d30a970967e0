import { Duration } from 'luxon';

/**
 * ISO-8601 durations (`PT4H`, `P1DT2H`, `PT30S`) in milliseconds. Days count as 24 hours: SLA
 * targets are elapsed or business time, never calendar days that DST could stretch.
 */
export function durationMs(iso: string): number {
  const d = Duration.fromISO(iso);
  if (!d.isValid) throw new Error(`not an ISO-8601 duration: ${iso}`);
  return d.shiftTo('milliseconds').milliseconds + 0;
}
