/** Instants of the virtual clock as the case record writes them. */

/**
 * Epoch milliseconds as an ISO-8601 instant, as `Date.prototype.toISOString` writes it, for years
 * 1970–9999. Written by hand because the simulator stamps several instants per case and the date
 * part changes once a day.
 */
let isoDay = Number.NaN;
let isoPrefix = '';
let isoLastMs = Number.NaN;
let isoLast = '';
export function iso(value: number): string {
  const ms = Math.floor(value);
  if (ms === isoLastMs) return isoLast;
  if (ms < 0 || ms >= 253402300800000) return new Date(ms).toISOString();
  const day = Math.floor(ms / 86_400_000);
  if (day !== isoDay) {
    isoDay = day;
    isoPrefix = new Date(day * 86_400_000).toISOString().slice(0, 11);
  }
  let rest = ms - day * 86_400_000;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const sec = Math.floor(rest / 1000);
  const milli = rest - sec * 1000;
  isoLastMs = ms;
  isoLast = `${isoPrefix}${h < 10 ? '0' : ''}${h}:${m < 10 ? '0' : ''}${m}:${sec < 10 ? '0' : ''}${sec}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
  return isoLast;
}
