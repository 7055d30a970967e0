import type { HandoverSummary, LogAnalysis } from '../../functions/core/mining/analysis.js';
import type { DistributionStats } from '../../functions/core/mining/stats.js';
import { formatCount, formatDuration, formatShare } from './format.js';

/** The analysis as the CLI prints it: a JSON document for machines, aligned tables for people. */

export interface ReportOptions {
  /** Rows per long table (variants, handover pairs, edges in the text report); 0 = all. */
  top: number;
}

const DAY_MS = 86_400_000;
const limit = <T>(rows: readonly T[], top: number) => (top > 0 ? rows.slice(0, top) : [...rows]);
const iso = (ms: number) => new Date(ms).toISOString();

function durationJson(d: DistributionStats) {
  const days = (v: number) => (Number.isFinite(v) ? Math.round((v / DAY_MS) * 1000) / 1000 : null);
  const ms = (v: number) => (Number.isFinite(v) ? v : null);
  return {
    count: d.count,
    ms: { min: ms(d.min), median: ms(d.median), mean: ms(d.mean), p90: ms(d.p90), max: ms(d.max) },
    days: { min: days(d.min), median: days(d.median), mean: days(d.mean), p90: days(d.p90), max: days(d.max) },
  };
}

function handoverJson(h: HandoverSummary | undefined, top: number) {
  if (!h) return null;
  return { total: h.total, pairCount: h.pairCount, casesWithHandover: h.casesWithHandover, casesWithPingPong: h.casesWithPingPong, pairs: limit(h.pairs, top) };
}

export function analysisJson(a: LogAnalysis, options: ReportOptions) {
  const occurring = (n: number) => a.variants.filter((v) => v.count === n).length;
  return {
    cases: a.cases,
    events: a.events,
    activityCount: a.activityCount,
    activities: a.activities,
    timeframe: a.timeframe ? { first: iso(a.timeframe.firstMs), last: iso(a.timeframe.lastMs) } : null,
    variantCount: a.variantCount,
    variantsOccurring: { once: occurring(1), twice: occurring(2), thrice: occurring(3) },
    variants: limit(a.variants, options.top).map((v) => ({
      count: v.count,
      share: Math.round(v.share * 10000) / 10000,
      activities: v.activities,
      exampleCaseId: v.exampleCaseId,
    })),
    directlyFollows: {
      edgeCount: a.dfg.edges.length,
      edges: a.dfg.edges,
      startActivities: a.dfg.startActivities,
      endActivities: a.dfg.endActivities,
    },
    handovers: { resources: handoverJson(a.handovers.resources, options.top), teams: handoverJson(a.handovers.groups, options.top) },
    rework: a.rework,
    caseDuration: durationJson(a.caseDurationMs),
    eventsPerCase: {
      count: a.eventsPerCase.count,
      min: a.eventsPerCase.min,
      median: a.eventsPerCase.median,
      mean: a.eventsPerCase.mean,
      p90: a.eventsPerCase.p90,
      max: a.eventsPerCase.max,
    },
  };
}

/** Columns padded to their widest cell; numeric-looking columns right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = header.map(
    (_, i) => rows.length > 0 && rows.every((r) => /^[-\d,.\s%]*$/.test(r[i] ?? '') || /^\d[\d.,]* ?(ms|s|min|h|d)$/.test(r[i] ?? '')),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** `1 variant`, `193 variants`. */
const plural = (n: number, word: string) => `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;

function handoverText(title: string, h: HandoverSummary | undefined, top: number): string[] {
  if (!h) return [];
  if (h.total === 0) return [`${title}: none`, ''];
  return [
    `${title}: ${plural(h.total, 'handover')} over ${plural(h.pairCount, 'pair')}; ${formatCount(h.casesWithHandover)} of the cases hand over at least once, ${formatCount(h.casesWithPingPong)} come back to an earlier one (ping-pong)`,
    table(
      ['from', 'to', 'count'],
      limit(h.pairs, top).map((p) => [p.from, p.to, formatCount(p.count)]),
    ),
    '',
  ];
}

export function analysisText(a: LogAnalysis, options: ReportOptions): string {
  const out: string[] = [];
  const timeframe = a.timeframe ? ` from ${iso(a.timeframe.firstMs).slice(0, 19)}Z to ${iso(a.timeframe.lastMs).slice(0, 19)}Z` : '';
  out.push(
    `${plural(a.cases, 'case')}, ${plural(a.events, 'event')}, ${plural(a.activityCount, 'activity').replace(/activitys$/, 'activities')}, ${plural(a.variantCount, 'variant')}${timeframe}`,
    '',
  );

  out.push('Activities');
  out.push(
    table(
      ['activity', 'events', 'cases'],
      a.activities.map((x) => [x.activity, formatCount(x.count), formatCount(x.cases)]),
    ),
    '',
  );

  const occurring = (n: number) => a.variants.filter((v) => v.count === n).length;
  out.push(
    `Variants (top ${options.top > 0 ? Math.min(options.top, a.variantCount) : a.variantCount} of ${formatCount(a.variantCount)}; ${occurring(1)} occur once, ${occurring(2)} twice, ${occurring(3)} three times)`,
  );
  out.push(
    table(
      ['#', 'cases', 'share', 'activities'],
      limit(a.variants, options.top).map((v, i) => [String(i + 1), formatCount(v.count), formatShare(v.share), v.activities.join(' → ')]),
    ),
    '',
  );

  out.push(`Directly-follows graph: ${plural(a.dfg.edges.length, 'edge')} (count, median time between the two events)`);
  out.push(
    table(
      ['from', 'to', 'count', 'median'],
      limit(a.dfg.edges, options.top > 0 ? Math.max(options.top, 25) : 0).map((e) => [e.from, e.to, formatCount(e.count), formatDuration(e.medianMs)]),
    ),
  );
  if (options.top > 0 && a.dfg.edges.length > Math.max(options.top, 25))
    out.push(`… ${a.dfg.edges.length - Math.max(options.top, 25)} more (--top 0 shows all)`);
  out.push(`start: ${a.dfg.startActivities.map((s) => `${s.activity} ${formatCount(s.count)}`).join(', ')}`);
  out.push(`end:   ${a.dfg.endActivities.map((s) => `${s.activity} ${formatCount(s.count)}`).join(', ')}`, '');

  out.push(...handoverText('Handovers between resources', a.handovers.resources, options.top));
  out.push(...handoverText('Handovers between teams', a.handovers.groups, options.top));

  const r = a.rework;
  out.push(
    `Rework: ${formatCount(r.casesWithRework)} cases repeat an activity (${formatShare(a.cases ? r.casesWithRework / a.cases : 0)}); ${formatCount(r.casesWithSelfLoop)} directly (self-loop), ${formatCount(r.casesWithReturn)} after other steps (return)`,
  );
  if (r.activities.length) {
    out.push(
      table(
        ['activity', 'self-loops', 'in cases', 'returns', 'in cases', 'cases repeating'],
        r.activities.map((x) => [
          x.activity,
          formatCount(x.selfLoops),
          formatCount(x.selfLoopCases),
          formatCount(x.returns),
          formatCount(x.returnCases),
          formatCount(x.cases),
        ]),
      ),
    );
  }
  out.push('');

  const d = a.caseDurationMs;
  out.push('Case duration (first to last event)');
  out.push(table(['min', 'median', 'mean', 'p90', 'max'], [[d.min, d.median, d.mean, d.p90, d.max].map(formatDuration)]));
  const e = a.eventsPerCase;
  out.push(`Events per case: min ${e.min}, median ${e.median}, mean ${Number.isFinite(e.mean) ? e.mean.toFixed(2) : '–'}, p90 ${e.p90}, max ${e.max}`);
  return out.join('\n');
}
