import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { download, rawFetch } from '../api/client';
import { ApiFailure, toApiError } from '../api/client';
import { BarChart } from '../components/BarChart';
import { ErrorNote } from '../components/Errors';
import type { components } from '../api/schema';

/** The report as the API documents it (generated from its OpenAPI document): a renamed field does not compile. */
type Report = components['schemas']['Report'];

const GROUPS = ['none', 'territory', 'queue', 'channel', 'agent'] as const;
type Group = (typeof GROUPS)[number];
/** The groupings the API computes in one call (`groupBy`); `agent` is the agents section of the whole. */
const API_GROUPS = ['territory', 'queue', 'channel'] as const;
type ApiGroup = (typeof API_GROUPS)[number];
const isApiGroup = (g: Group): g is ApiGroup => (API_GROUPS as readonly string[]).includes(g);

const day = (d: Date) => d.toISOString().slice(0, 10);
const daysAgo = (n: number) => day(new Date(Date.now() - n * 86_400_000));
const pct = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${Math.round(x * 1000) / 10}%`);

async function fetchReport(from: string, to: string, groupBy?: ApiGroup): Promise<Report> {
  const q = new URLSearchParams({ from, to, ...(groupBy ? { groupBy } : {}) });
  const res = await rawFetch(`/reports/summary?${q}`);
  const body = await res.json().catch(() => undefined);
  if (!res.ok) throw new ApiFailure(toApiError(res.status, body));
  return body as Report;
}

/** Reports with a period picker; grouped side by side by territory, queue or channel in one call (`groupBy`). */
export function Reports() {
  const [from, setFrom] = useState(daysAgo(6));
  const [to, setTo] = useState(day(new Date()));
  const [group, setGroup] = useState<Group>('none');
  const [format, setFormat] = useState<'csv' | 'xes' | 'ocel'>('csv');
  const [exportError, setExportError] = useState<unknown>();
  const groupBy = isApiGroup(group) ? group : undefined;
  const report = useQuery({ queryKey: ['report', from, to, groupBy ?? 'none'], queryFn: () => fetchReport(from, to, groupBy) });
  const all = report.data;
  /** The rows side by side: the whole, then each group the API returned. */
  const rows: { label: string; r: Omit<Report, 'report' | 'generatedAt'> | undefined }[] = [
    { label: 'all', r: all },
    ...(groupBy ? (all?.groups ?? []).map((g) => ({ label: g.value, r: g })) : []),
  ];
  const preset = (days: number) => {
    setFrom(daysAgo(days - 1));
    setTo(day(new Date()));
  };
  return (
    <div>
      <h2>Reports</h2>
      <form className="row" aria-label="Period" onSubmit={(e) => e.preventDefault()}>
        <label>
          From <input type="date" value={from} max={to} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          To <input type="date" value={to} min={from} onChange={(e) => setTo(e.target.value)} />
        </label>
        <button type="button" onClick={() => preset(1)}>
          Today
        </button>
        <button type="button" onClick={() => preset(7)}>
          7 days
        </button>
        <button type="button" onClick={() => preset(30)}>
          30 days
        </button>
        <label>
          Side by side by
          <select value={group} onChange={(e) => setGroup(e.target.value as Group)}>
            {GROUPS.map((g) => (
              <option key={g} value={g}>
                {g}
              </option>
            ))}
          </select>
        </label>
      </form>
      <ErrorNote error={report.error} />
      {!all && <p aria-busy="true">Loading…</p>}
      {all?.volume && (
        <section aria-labelledby="vol-h">
          <h3 id="vol-h">Volume</h3>
          <BarChart
            title="Cases per day"
            labels={all.volume.daily.map((d) => d.date)}
            series={[
              { name: 'created', values: all.volume.daily.map((d) => d.created) },
              { name: 'resolved', values: all.volume.daily.map((d) => d.resolved) },
              { name: 'closed unresolved', values: all.volume.daily.map((d) => d.closedUnresolved) },
            ]}
          />
          <table aria-label="Volume">
            <tbody>
              <tr>
                <th scope="row">Created</th>
                <td>{all.volume.created}</td>
                <th scope="row">Resolved</th>
                <td>{all.volume.resolved}</td>
                <th scope="row">Closed unresolved</th>
                <td>{all.volume.closedUnresolved}</td>
                <th scope="row">Reopened</th>
                <td>{all.volume.reopened}</td>
              </tr>
            </tbody>
          </table>
        </section>
      )}
      {all && (
        <section aria-labelledby="cmp-h">
          <h3 id="cmp-h">{group === 'none' || group === 'agent' ? 'Key figures' : `Key figures by ${group}`}</h3>
          <table aria-label="Key figures">
            <thead>
              <tr>
                <th scope="col">{group === 'none' || group === 'agent' ? 'Scope' : group}</th>
                <th scope="col">Cases with activity</th>
                <th scope="col">Created</th>
                <th scope="col">Resolved</th>
                <th scope="col">SLA compliance</th>
                <th scope="col">Breaches</th>
                <th scope="col">Median first response</th>
                <th scope="col">Median resolution</th>
                <th scope="col">First-contact resolution</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ label, r }) => {
                return (
                  <tr key={label}>
                    <th scope="row">{label}</th>
                    <td>{r?.casesWithActivity ?? '…'}</td>
                    <td>{r?.volume?.created ?? '—'}</td>
                    <td>{r?.volume?.resolved ?? '—'}</td>
                    <td>{pct(r?.sla?.total.compliance)}</td>
                    <td>{r?.sla?.total.breaches ?? '—'}</td>
                    <td>{r?.responseTimes?.firstResponse.median ?? '—'}</td>
                    <td>{r?.responseTimes?.resolution.median ?? '—'}</td>
                    <td>{pct(r?.firstContactResolution?.rate)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {rows.length > 1 && (
            <BarChart
              title={`Created and resolved by ${group}`}
              labels={rows.slice(1).map((row) => row.label)}
              series={[
                { name: 'created', values: rows.slice(1).map((row) => row.r?.volume?.created ?? 0) },
                { name: 'resolved', values: rows.slice(1).map((row) => row.r?.volume?.resolved ?? 0) },
              ]}
            />
          )}
        </section>
      )}
      {all?.sla && (
        <section aria-labelledby="sla-h">
          <h3 id="sla-h">SLA by milestone</h3>
          <table aria-label="SLA by milestone">
            <thead>
              <tr>
                <th scope="col">Milestone</th>
                <th scope="col">Met</th>
                <th scope="col">Met late</th>
                <th scope="col">Compliance</th>
                <th scope="col">Breaches</th>
                <th scope="col">Warnings</th>
                <th scope="col">Escalations</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(all.sla.byMilestone).map(([name, m]) => (
                <tr key={name}>
                  <th scope="row">{name.replace(/_/g, ' ')}</th>
                  <td>{m.met}</td>
                  <td>{m.metLate}</td>
                  <td>{pct(m.compliance)}</td>
                  <td>{m.breaches}</td>
                  <td>{m.warnings}</td>
                  <td>{m.escalations}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {(group === 'agent' || group === 'none') && all?.agents && all.agents.agents.length > 0 && (
        <section aria-labelledby="ag-h">
          <h3 id="ag-h">Agents</h3>
          <table aria-label="Agents">
            <thead>
              <tr>
                <th scope="col">Agent</th>
                <th scope="col">Cases held in period</th>
                <th scope="col">Average load</th>
                <th scope="col">Peak load</th>
                <th scope="col">Utilisation</th>
              </tr>
            </thead>
            <tbody>
              {all.agents.agents.map((a) => (
                <tr key={a.agentId}>
                  <th scope="row">{a.name ?? a.agentId}</th>
                  <td>{a.casesHeldInPeriod}</td>
                  <td>{a.period.averageLoad?.toFixed(2) ?? '—'}</td>
                  <td>{a.period.peakLoad}</td>
                  <td>{pct(a.period.utilisation)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {all?.backlog && (
        <section aria-labelledby="bl-h">
          <h3 id="bl-h">Backlog now ({all.backlog.openNow} open)</h3>
          <BarChart
            title="Open cases by queue"
            labels={all.backlog.byQueue.map((q) => q.queue)}
            series={[{ name: 'open', values: all.backlog.byQueue.map((q) => q.openNow) }]}
          />
        </section>
      )}
      <section aria-labelledby="ex-h">
        <h3 id="ex-h">Export the event log</h3>
        <div className="row">
          <label>
            Format
            <select value={format} onChange={(e) => setFormat(e.target.value as 'csv' | 'xes' | 'ocel')}>
              <option value="csv">CSV</option>
              <option value="xes">XES (process mining)</option>
              <option value="ocel">OCEL 2.0 JSON</option>
            </select>
          </label>
          <button
            type="button"
            onClick={() => {
              setExportError(undefined);
              download(
                `/exports/events?${new URLSearchParams({ format, from, to })}`,
                `caseflow-events-${from}-${to}.${format === 'ocel' ? 'json' : format}`,
              ).catch(setExportError);
            }}
          >
            Download {from} to {to}
          </button>
        </div>
        <ErrorNote error={exportError} />
      </section>
    </div>
  );
}
