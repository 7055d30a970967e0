import type { Timeline, TimelineBin } from './timeline.js';

export type { Timeline } from './timeline.js';

/**
 * The simulator's chart, as SVG written directly: over the day (local time of the chosen zone), the
 * number of cases waiting (time-average; in total and per queue) and the mean wait until assignment
 * of the cases that arrived at that time. With two runs (a comparison) both are drawn, the second
 * dashed.
 */

/** The average of several replications' timelines (same bins). */
export function meanTimeline(timelines: readonly Timeline[]): Timeline {
  const first = timelines[0]!;
  const n = timelines.length;
  const bins: TimelineBin[] = first.bins.map((b, i) => {
    const all = timelines.map((t) => t.bins[i]!);
    const queues = [...new Set(all.flatMap((x) => Object.keys(x.waitingByQueue)))];
    const assigned = all.reduce((s, x) => s + x.assignedCount, 0);
    return {
      minute: b.minute,
      waiting: all.reduce((s, x) => s + x.waiting, 0) / n,
      waitingByQueue: Object.fromEntries(queues.map((q) => [q, all.reduce((s, x) => s + (x.waitingByQueue[q] ?? 0), 0) / n])),
      arrivalsPerDay: all.reduce((s, x) => s + x.arrivalsPerDay, 0) / n,
      meanWaitMs: assigned > 0 ? all.reduce((s, x) => s + x.meanWaitMs * x.assignedCount, 0) / assigned : 0,
      assignedCount: assigned,
    };
  });
  return { ...first, bins };
}

export interface ChartSeries {
  name: string;
  timeline: Timeline;
}

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function niceMax(x: number): number {
  if (!(x > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}

function waitUnit(maxMs: number): { div: number; label: string } {
  if (maxMs >= 2 * 86_400_000) return { div: 86_400_000, label: 'days' };
  if (maxMs >= 2 * 3_600_000) return { div: 3_600_000, label: 'hours' };
  if (maxMs >= 2 * 60_000) return { div: 60_000, label: 'minutes' };
  return { div: 1000, label: 'seconds' };
}

const fmtNum = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(1) : x.toFixed(2));

export function renderChart(options: { title: string; subtitle?: string; series: readonly ChartSeries[] }): string {
  const W = 960;
  const H = 600;
  const left = 70;
  const right = 190;
  const plotW = W - left - right;
  const top1 = 80;
  const h1 = 200;
  const top2 = top1 + h1 + 70;
  const h2 = 180;
  const series = options.series;
  const tz = series[0]?.timeline.timezone ?? 'UTC';
  const binMinutes = series[0]?.timeline.binMinutes ?? 30;
  const x = (minute: number) => left + (minute / 1440) * plotW;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12" role="img">`,
    `<title>${esc(options.title)}</title>`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${left}" y="28" font-size="17" font-weight="bold">${esc(options.title)}</text>`,
  );
  if (options.subtitle) out.push(`<text x="${left}" y="48" fill="#555">${esc(options.subtitle)}</text>`);

  const single = series.length === 1;
  // Panel 1: cases waiting.
  const queueNames = single ? [...new Set(series[0]!.timeline.bins.flatMap((b) => Object.keys(b.waitingByQueue)))].slice(0, 6) : [];
  const max1 = niceMax(Math.max(0, ...series.flatMap((s) => s.timeline.bins.map((b) => b.waiting))));
  const y1 = (v: number) => top1 + h1 - (v / max1) * h1;
  // Panel 2: mean wait.
  const maxWaitMs = Math.max(0, ...series.flatMap((s) => s.timeline.bins.map((b) => b.meanWaitMs)));
  const unit = waitUnit(maxWaitMs);
  const max2 = niceMax(maxWaitMs / unit.div);
  const y2 = (v: number) => top2 + h2 - (v / max2) * h2;

  const axes = (top: number, h: number, max: number, y: (v: number) => number, label: string) => {
    out.push(`<text x="${left}" y="${top - 12}" font-weight="bold">${esc(label)}</text>`);
    for (let i = 0; i <= 4; i++) {
      const v = (max * i) / 4;
      out.push(`<line x1="${left}" x2="${left + plotW}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e5e5e5"/>`);
      out.push(`<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" fill="#555">${fmtNum(v)}</text>`);
    }
    for (let hour = 0; hour <= 24; hour += 3) {
      out.push(`<line x1="${x(hour * 60).toFixed(1)}" x2="${x(hour * 60).toFixed(1)}" y1="${top}" y2="${top + h}" stroke="#f0f0f0"/>`);
      out.push(`<text x="${x(hour * 60).toFixed(1)}" y="${top + h + 16}" text-anchor="middle" fill="#555">${String(hour).padStart(2, '0')}:00</text>`);
    }
    out.push(`<rect x="${left}" y="${top}" width="${plotW}" height="${h}" fill="none" stroke="#999"/>`);
  };
  axes(top1, h1, max1, y1, 'Cases waiting (time-average over the day)');
  axes(top2, h2, max2, y2, `Mean wait until assignment, by time of arrival (${unit.label})`);
  out.push(`<text x="${left + plotW / 2}" y="${H - 12}" text-anchor="middle" fill="#555">time of day (${esc(tz)}), ${binMinutes}-minute bins</text>`);

  const path = (bins: readonly TimelineBin[], value: (b: TimelineBin) => number, y: (v: number) => number) =>
    bins.map((b, i) => `${i === 0 ? 'M' : 'L'}${x(b.minute + binMinutes / 2).toFixed(1)},${y(value(b)).toFixed(1)}`).join(' ');

  const legend: { name: string; colour: string; dash?: boolean }[] = [];
  series.forEach((s, si) => {
    const colour = single ? '#222' : COLOURS[si % COLOURS.length]!;
    const dash = si > 0 ? ' stroke-dasharray="6 4"' : '';
    out.push(`<path d="${path(s.timeline.bins, (b) => b.waiting, y1)}" fill="none" stroke="${colour}" stroke-width="2"${dash}/>`);
    legend.push({ name: single ? 'all queues' : s.name, colour, dash: si > 0 });
    if (single) {
      queueNames.forEach((q, qi) => {
        const c = COLOURS[qi % COLOURS.length]!;
        out.push(`<path d="${path(s.timeline.bins, (b) => b.waitingByQueue[q] ?? 0, y1)}" fill="none" stroke="${c}" stroke-width="1.5"/>`);
        legend.push({ name: `queue ${q}`, colour: c });
      });
      // Bars for the mean wait.
      const bw = (plotW / s.timeline.bins.length) * 0.8;
      for (const b of s.timeline.bins) {
        if (b.assignedCount === 0) continue;
        const v = b.meanWaitMs / unit.div;
        out.push(
          `<rect x="${(x(b.minute) + bw * 0.125).toFixed(1)}" y="${y2(v).toFixed(1)}" width="${bw.toFixed(1)}" height="${(top2 + h2 - y2(v)).toFixed(1)}" fill="#1f77b4" opacity="0.75"><title>${String(Math.floor(b.minute / 60)).padStart(2, '0')}:${String(b.minute % 60).padStart(2, '0')}: ${fmtNum(v)} ${unit.label} (${b.assignedCount} cases)</title></rect>`,
        );
      }
    } else {
      const withCases = s.timeline.bins.filter((b) => b.assignedCount > 0);
      if (withCases.length > 0)
        out.push(`<path d="${path(withCases, (b) => b.meanWaitMs / unit.div, y2)}" fill="none" stroke="${colour}" stroke-width="2"${dash}/>`);
    }
  });
  legend.forEach((l, i) => {
    const ly = top1 + 10 + i * 20;
    out.push(
      `<line x1="${left + plotW + 16}" x2="${left + plotW + 44}" y1="${ly}" y2="${ly}" stroke="${l.colour}" stroke-width="2"${l.dash ? ' stroke-dasharray="6 4"' : ''}/>`,
    );
    out.push(`<text x="${left + plotW + 50}" y="${ly + 4}">${esc(l.name)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
