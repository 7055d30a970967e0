import { fmt } from './distributions.js';
import type { Comparison, ReplicatedRun, StaffingResult } from './experiment.js';
import type { SimulationResult } from './simulate.js';
import type { Interval, Summary } from './stats.js';

/** The simulator's reports as text, for people; `--json` gives the same figures as data. */

const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)} %` : 'n/a');

function kindOf(metric: string): 'ms' | 'share' | 'count' {
  if (metric.endsWith('.attainment') || metric.startsWith('utilisation')) return 'share';
  if (metric.includes('wait.')) return 'ms';
  return 'count';
}

export function formatValue(metric: string, value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  switch (kindOf(metric)) {
    case 'ms':
      return fmt(value);
    case 'share':
      return pct(value);
    default:
      return Number.isInteger(value) ? String(value) : value.toFixed(1);
  }
}

export function formatInterval(metric: string, i: Interval | undefined, signed = false): string {
  if (!i || Number.isNaN(i.mean)) return 'n/a';
  const sign = signed && i.mean > 0 ? '+' : '';
  const hw = Number.isFinite(i.halfWidth) ? ` ± ${formatValue(metric, i.halfWidth).replace(/^-/, '')}` : '';
  return `${sign}${formatValue(metric, i.mean)}${hw}`;
}

function table(rows: string[][], align: ('l' | 'r')[]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) =>
    r
      .map((cell, c) => (align[c] === 'r' ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd(),
  );
}

function waitRow(label: string, s: Summary): string[] {
  return [label, fmt(s.mean), fmt(s.p50), fmt(s.p90), fmt(s.p99), String(s.count)];
}

/** One run (or the first of several replications, with the intervals of all of them). */
export function formatRun(run: ReplicatedRun, heading: string[]): string {
  const r: SimulationResult = run.results[0]!;
  const many = run.results.length > 1;
  const out: string[] = [...heading];
  out.push(
    `Window: ${r.window.start} to ${r.window.end}${r.window.measuredFrom !== r.window.start ? `, measured from ${r.window.measuredFrom}` : ''}${r.window.stoppedAt !== r.window.end ? `, run on to ${r.window.stoppedAt}` : ''}`,
  );
  out.push(
    `Cases: ${r.arrivals.total} arrived, ${r.arrivals.measured} measured${r.arrivals.needsReview ? `, ${r.arrivals.needsReview} outside every territory (manual review)` : ''}${many ? ` (replication 1 of ${run.results.length}; ± is the 95 % confidence interval over all of them)` : ''}`,
  );
  out.push('');
  out.push('Wait until assignment');
  if (many) {
    const m = run.metrics;
    const rows = [['', 'mean', 'p50', 'p90', 'p99']];
    rows.push(['all', ...['wait.mean', 'wait.p50', 'wait.p90', 'wait.p99'].map((k) => formatInterval(k, m[k]))]);
    for (const q of r.byQueue)
      rows.push([
        `queue ${q.queue}`,
        formatInterval('wait.mean', m[`queue.${q.queue}.wait.mean`]),
        '',
        formatInterval('wait.p90', m[`queue.${q.queue}.wait.p90`]),
        '',
      ]);
    for (const p of r.byPriority) rows.push([`priority ${p.priority}`, formatInterval('wait.mean', m[`priority.${p.priority}.wait.mean`]), '', '', '']);
    out.push(...table(rows, ['l', 'r', 'r', 'r', 'r']).map((l) => `  ${l}`));
  } else {
    const rows = [['', 'mean', 'p50', 'p90', 'p99', 'cases'], waitRow('all', r.wait)];
    for (const q of r.byQueue) rows.push(waitRow(`queue ${q.queue}`, q.wait));
    for (const p of r.byPriority) rows.push(waitRow(`priority ${p.priority}`, p.wait));
    if (r.byQueue.length > 1 && r.byPriority.length > 1) for (const qp of r.byQueueAndPriority) rows.push(waitRow(`${qp.queue} / ${qp.priority}`, qp.wait));
    out.push(...table(rows, ['l', 'r', 'r', 'r', 'r', 'r']).map((l) => `  ${l}`));
  }
  const still = Object.entries(r.stillWaiting.byQueue);
  out.push(
    `Still waiting at the end: ${many ? formatInterval('stillWaiting', run.metrics.stillWaiting) : r.stillWaiting.total}${
      still.length ? ` (${still.map(([q, s]) => `${q}: ${s.count}, oldest ${fmt(s.oldestMs)}`).join('; ')})` : ''
    }`,
  );
  if (r.sla.length) {
    out.push('', 'SLA attainment (met in time ÷ met, met late and missed while open; business time)');
    const rows = [['policy', 'milestone', 'attainment', 'met', 'late', 'missed open', 'pending']];
    for (const s of r.sla) {
      const key = `sla.${s.policy}.${s.milestone}.attainment`;
      rows.push([
        s.policy,
        s.milestone,
        many ? formatInterval(key, run.metrics[key]) : pct(s.attainment),
        String(s.met),
        String(s.metLate),
        String(s.missedOpen),
        String(s.pending),
      ]);
    }
    out.push(...table(rows, ['l', 'l', 'r', 'r', 'r', 'r', 'r']).map((l) => `  ${l}`));
  }
  out.push('', 'Agents (utilisation: time-average share of capacity in use; online: share of the time on shift)');
  const agentRows = [['agent', 'utilisation', 'online', 'assigned', 'resolved']];
  const shown = r.agents.length > 40 ? [...r.agents].sort((a, b) => b.utilisation - a.utilisation).slice(0, 40) : r.agents;
  for (const a of shown) {
    const all = run.results.map((x) => x.agents.find((y) => y.agentId === a.agentId)!);
    const mean = (f: (y: (typeof all)[number]) => number) => all.reduce((s, y) => s + f(y), 0) / all.length;
    agentRows.push([
      a.agentId,
      pct(mean((y) => y.utilisation)),
      pct(mean((y) => y.online)),
      mean((y) => y.assigned).toFixed(0),
      mean((y) => y.resolved).toFixed(0),
    ]);
  }
  out.push(...table(agentRows, ['l', 'r', 'r', 'r', 'r']).map((l) => `  ${l}`));
  if (shown.length < r.agents.length) out.push(`  ... the ${shown.length} busiest of ${r.agents.length} agents`);
  out.push('');
  out.push(
    `Reassignments: ${r.reassignments.total}${
      Object.keys(r.reassignments.byCause).length
        ? ` (${Object.entries(r.reassignments.byCause)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')})`
        : ''
    }`,
  );
  const a = r.assignments;
  const stages = Object.entries(a.byRelaxationStage).filter(([s]) => s !== '0');
  out.push(
    `Assignments: ${a.total} (${Object.entries(a.byPath)
      .map(([k, v]) => `${k} ${v}`)
      .join(
        ', ',
      )}); to the overflow queue ${a.overflow}; by customer history ${a.preferred}${stages.length ? `; with relaxed requirements ${stages.map(([s, n]) => `stage ${s}: ${n}`).join(', ')}` : ''}`,
  );
  return out.join('\n');
}

const ORDER = ['wait.mean', 'wait.p50', 'wait.p90', 'wait.p99', 'stillWaiting', 'assigned', 'reassignments', 'utilisation.mean'];

function metricOrder(a: string, b: string): number {
  const ia = ORDER.indexOf(a);
  const ib = ORDER.indexOf(b);
  if (ia >= 0 || ib >= 0) return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
  return a.localeCompare(b);
}

export function formatComparison(c: Comparison, heading: string[], names: { a: string; b: string }): string {
  const out = [...heading, ''];
  const metrics = Object.keys(c.differences).sort(metricOrder);
  const rowsOut = [['figure', names.a, names.b, `${names.b} − ${names.a} (95 % CI)`, '']];
  for (const m of metrics) {
    const d = c.differences[m]!;
    const significant = Number.isFinite(d.halfWidth) && Math.abs(d.mean) > d.halfWidth;
    rowsOut.push([m, formatInterval(m, c.a.metrics[m]), formatInterval(m, c.b.metrics[m]), formatInterval(m, d, true), significant ? '*' : '']);
  }
  out.push(...table(rowsOut, ['l', 'r', 'r', 'r', 'l']).map((l) => `  ${l}`));
  out.push('', `  * the interval excludes zero: the configurations differ in this figure (${c.a.results.length} paired replications, common random numbers)`);
  if (metrics.some((m) => c.differences[m]!.n === 0)) out.push('  n/a: a figure only one of the configurations has (a queue the other does not have)');
  return out.join('\n');
}

export function formatStaffing(s: StaffingResult, heading: string[]): string {
  const out = [...heading, `Target: ${s.target.text} (share of each queue's cases assigned within the time)`, ''];
  const rowsOut = [['queue', 'members now', 'arrivals / h', 'mean handle', 'per agent', 'Erlang C', 'simulated', 'attainment', 'tried']];
  for (const q of s.queues) {
    rowsOut.push([
      q.queue,
      String(q.members),
      q.arrivalsPerOpenHour.toFixed(2),
      fmt(q.meanHandleMs),
      `${q.perAgent} ${q.channel}`,
      String(q.erlangAgents),
      q.agents === undefined ? '—' : String(q.agents),
      q.agents === undefined ? (q.note ?? '') : pct(s.finalAttainment[q.queue] ?? q.attainment ?? Number.NaN),
      q.tried.map((t) => `${t.agents}: ${pct(t.attainment)}`).join(', '),
    ]);
  }
  out.push(...table(rowsOut, ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l']).map((l) => `  ${l}`));
  const notes = s.queues.filter((q) => q.note);
  for (const q of notes) out.push(`  ${q.queue}: ${q.note}`);
  out.push(
    '',
    "  Erlang C: M/M/(c·k) with the queue's arrival rate (over its open hours when work time counts only those) and the mean handle time; simulated: the fewest agents for which the replications met the target (one fewer did not). Attainment is that of the final run with every queue at its number.",
  );
  if (s.changes.length) out.push(`  To run it: ${s.changes.map((c) => `--agents ${c.queue}=${c.count}`).join(' ')}`);
  return out.join('\n');
}
