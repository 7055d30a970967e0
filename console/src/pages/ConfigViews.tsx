import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { ErrorNote } from '../components/Errors';

type Json = Record<string, unknown>;

/** A routing condition in words: `country in [DE, AT] and not (product = lamps)`. */
export function conditionText(node: unknown): string {
  if (!node || typeof node !== 'object') return 'always';
  const n = node as Json;
  if (Array.isArray(n.all)) return n.all.length ? n.all.map((x) => wrap(x)).join(' and ') : 'always';
  if (Array.isArray(n.any)) return n.any.map((x) => wrap(x)).join(' or ');
  if (Array.isArray(n.not)) return `not (${n.not.map((x) => conditionText(x)).join(' and ')})`;
  const ops: Record<string, string> = { eq: '=', neq: '≠', gt: '>', gte: '≥', lt: '<', lte: '≤', in: 'in', not_in: 'not in' };
  const value = n.op === 'exists' ? '' : ` ${JSON.stringify(n.value)}`;
  return `${String(n.field)} ${ops[String(n.op)] ?? String(n.op).replace(/_/g, ' ')}${value}`;
}
const wrap = (x: unknown) => {
  const t = conditionText(x);
  return x && typeof x === 'object' && ('all' in x || 'any' in x) ? `(${t})` : t;
};

function routeText(then: Json): string {
  const route = then.route as Json | undefined;
  const parts: string[] = [];
  if (route?.agent) parts.push(`to agent ${route.agent}`);
  if (Array.isArray(route?.agents)) parts.push(`to agents ${(route.agents as string[]).join(', ')} (in that order)`);
  if (route?.queue) parts.push(`to queue ${route.queue}`);
  if (Array.isArray(then.requireSkills))
    parts.push(`requires ${(then.requireSkills as Json[]).map((s) => `${s.skill} ≥ ${s.minLevel ?? 1}${s.optional ? ' (optional)' : ''}`).join(', ')}`);
  if (then.setPriority) parts.push(`sets priority ${then.setPriority}`);
  return parts.join('; ');
}

const list = (x: unknown) => (Array.isArray(x) ? x.join(', ') : '');
const record = (x: unknown) =>
  x && typeof x === 'object'
    ? Object.entries(x as Json)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')
    : '';

/** Territories, queues, agents, rules and SLA policies as people read them. */
export function ConfigViews() {
  const current = useQuery({ queryKey: ['config'], queryFn: async () => unwrap(await api().GET('/admin/config')) });
  if (current.isPending) return <p aria-busy="true">Loading…</p>;
  if (current.isError) return <ErrorNote error={current.error} />;
  const c = current.data.config as Json;
  const arr = (k: string) => (Array.isArray(c[k]) ? (c[k] as Json[]) : []);
  return (
    <div>
      <h2>Configuration, version {current.data.version}</h2>
      <section aria-labelledby="ter-h">
        <h3 id="ter-h">Territories</h3>
        <table aria-label="Territories">
          <thead>
            <tr>
              <th scope="col">Territory</th>
              <th scope="col">Matches</th>
              <th scope="col">Queue</th>
              <th scope="col">Priority</th>
            </tr>
          </thead>
          <tbody>
            {arr('territories').map((t) => (
              <tr key={String(t.id)}>
                <th scope="row">{String(t.name)}</th>
                <td>
                  {Object.entries((t.match ?? {}) as Json)
                    .map(([k, v]) => `${k}: ${list(v)}`)
                    .join('; ') || 'everything (catch-all)'}
                </td>
                <td>{String(t.queue)}</td>
                <td>{String(t.priority ?? 0)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section aria-labelledby="que-h">
        <h3 id="que-h">Queues</h3>
        <table aria-label="Queues">
          <thead>
            <tr>
              <th scope="col">Queue</th>
              <th scope="col">Routing</th>
              <th scope="col">Members</th>
              <th scope="col">Overflow</th>
              <th scope="col">Hours</th>
            </tr>
          </thead>
          <tbody>
            {arr('queues').map((q) => (
              <tr key={String(q.id)}>
                <th scope="row">{String(q.name)}</th>
                <td>{String(q.routing ?? 'least_busy').replace(/_/g, ' ')}</td>
                <td>{list(q.members)}</td>
                <td>{String(q.overflowQueue ?? '—')}</td>
                <td>{String(q.businessHours ?? '24×7')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section aria-labelledby="agt-h">
        <h3 id="agt-h">Agents</h3>
        <table aria-label="Agents">
          <thead>
            <tr>
              <th scope="col">Agent</th>
              <th scope="col">Roles</th>
              <th scope="col">Capacity</th>
              <th scope="col">Skills</th>
              <th scope="col">Languages</th>
              <th scope="col">Tier</th>
            </tr>
          </thead>
          <tbody>
            {arr('agents').map((a) => (
              <tr key={String(a.id)}>
                <th scope="row">
                  {String(a.name)} <span className="muted">({String(a.id)})</span>
                </th>
                <td>{list(a.roles)}</td>
                <td>{record(a.capacity)}</td>
                <td>{record(a.skills)}</td>
                <td>{list(a.languages)}</td>
                <td>{String(a.tier ?? 1)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section aria-labelledby="rul-h">
        <h3 id="rul-h">Rules (first match wins)</h3>
        <ol className="rules">
          {arr('rules').map((r) => (
            <li key={String(r.id)}>
              <strong>{String(r.id)}</strong>
              {r.description ? ` — ${String(r.description)}` : ''}: when {conditionText(r.when)}, {routeText((r.then ?? {}) as Json)}.
            </li>
          ))}
        </ol>
      </section>
      <section aria-labelledby="slp-h">
        <h3 id="slp-h">SLA policies</h3>
        <table aria-label="SLA policies">
          <thead>
            <tr>
              <th scope="col">Policy</th>
              <th scope="col">Applies when</th>
              <th scope="col">First response</th>
              <th scope="col">Resolution</th>
              <th scope="col">Hours</th>
              <th scope="col">Warn before</th>
            </tr>
          </thead>
          <tbody>
            {arr('slaPolicies').map((p) => (
              <tr key={String(p.id)}>
                <th scope="row">{String(p.name ?? p.id)}</th>
                <td>{conditionText(p.when)}</td>
                <td>{record(p.firstResponse)}</td>
                <td>{record(p.resolution)}</td>
                <td>{String(p.businessHours ?? '24×7')}</td>
                <td>{String(p.warnBefore ?? '—')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
