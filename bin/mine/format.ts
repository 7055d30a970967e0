/** Human-readable numbers and durations for reports and process maps. */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** `950 ms`, `42 s`, `17 min`, `5.2 h`, `39.8 d`: one unit, at most three significant digits. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  const abs = Math.abs(ms);
  const round = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(1).replace(/\.0$/, ''));
  if (abs < 1000) return `${Math.round(ms)} ms`;
  if (abs < MINUTE) return `${round(ms / 1000)} s`;
  if (abs < HOUR) return `${round(ms / MINUTE)} min`;
  if (abs < DAY) return `${round(ms / HOUR)} h`;
  return `${round(ms / DAY)} d`;
}

/** 21348 ▶ `21,348`, independent of the machine's locale so reports and tests agree everywhere. */
export function formatCount(n: number): string {
  const s = String(Math.round(Math.abs(n)));
  const grouped = s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 ? `-${grouped}` : grouped;
}

export function formatShare(share: number): string {
  return `${(share * 100).toFixed(1)} %`;
}
