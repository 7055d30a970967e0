import { useQueryClient } from '@tanstack/react-query';
import type { Case } from '../api/client';
import { prefetchCase } from '../lib/hooks';
import { ago, duration, words } from '../lib/format';
import { nextDeadline } from '../lib/sla';
import { Link } from '../router';
import { SlaBadge } from './Sla';

export function CaseTable({
  cases,
  now,
  label,
  extra,
  extraLabel = 'Action',
}: {
  cases: Case[];
  now: number;
  label: string;
  extra?: (c: Case) => React.ReactNode;
  extraLabel?: string;
}) {
  const client = useQueryClient();
  if (cases.length === 0) return <p className="muted">{label}: none.</p>;
  return (
    <table className="cases" aria-label={label}>
      <thead>
        <tr>
          <th scope="col">Case</th>
          <th scope="col">Subject</th>
          <th scope="col">Status</th>
          <th scope="col">Priority</th>
          <th scope="col">SLA</th>
          <th scope="col">Next deadline</th>
          <th scope="col">Age</th>
          {extra && <th scope="col">{extraLabel}</th>}
        </tr>
      </thead>
      <tbody>
        {cases.map((c) => {
          const next = nextDeadline(c.sla);
          return (
            <tr key={c.caseId}>
              <td>
                <Link to={`/cases/${c.caseId}`} onPointerEnter={() => prefetchCase(client, c.caseId)} onFocus={() => prefetchCase(client, c.caseId)}>
                  #{c.caseNumber}
                </Link>
              </td>
              <td>{c.subject}</td>
              <td>{words(c.status)}</td>
              <td>{c.priority}</td>
              <td>
                <SlaBadge sla={c.sla} now={now} />
              </td>
              <td>{Number.isFinite(next) ? duration(next - now) : '—'}</td>
              <td>{ago(c.createdAt, now)}</td>
              {extra && <td>{extra(c)}</td>}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
