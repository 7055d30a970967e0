import type { Decision } from '../api/client';
import { when, words } from '../lib/format';

interface Candidate {
  agentId: string;
  removedBy?: { filter: string; reason: string };
  score?: number;
  rank?: number;
  preferredBecause?: string;
}
interface Step {
  queue: string;
  method: string;
  ranking?: string[];
  candidates?: Candidate[];
  reasons?: string[];
}
interface Assignment {
  rule?: { id: string; description?: string };
  setPriority?: { priority: string };
  requirements?: { skills?: { skill: string; minLevel: number; optional?: boolean }[]; languages?: string[] };
  relaxationStage?: number;
  queue?: string;
  ranking?: { agentId: string; queue: string }[];
  steps?: Step[];
  reasons?: string[];
  cause?: string;
}

const METHOD_WORDS: Record<string, string> = {
  least_busy: 'the least busy agent first',
  most_available: 'the agent with the most spare capacity first',
  round_robin: 'the agent who waited longest since their last case first',
  preference: "the agents the rule names, in the rule's order",
};

function AssignmentRecord({ d }: { d: Decision }) {
  const x = d.details as Assignment;
  const winner = d.outcome;
  const skills = x.requirements?.skills ?? [];
  return (
    <div>
      <p>
        {x.rule ? (
          <>
            Rule <strong>{x.rule.id}</strong> matched{x.rule.description ? ` (“${x.rule.description}”)` : ''}.
          </>
        ) : x.cause || (x.reasons && !x.steps) ? (
          <>Assigned by hand.</>
        ) : (
          <>No rule matched: the case went to its territory's queue.</>
        )}{' '}
        {x.queue && (
          <>
            It belongs in queue <strong>{x.queue}</strong>.
          </>
        )}
        {x.setPriority && <> The rule set the priority to {x.setPriority.priority}.</>}
      </p>
      {skills.length > 0 && (
        <p>
          Skills required: {skills.map((s) => `${s.skill} ≥ ${s.minLevel}${s.optional ? ' (optional)' : ''}`).join(', ')}
          {x.relaxationStage ? ` (relaxed, stage ${x.relaxationStage}, because the case waited)` : ''}.
        </p>
      )}
      {(x.steps ?? []).map((step) => (
        <div key={`${step.queue}-${step.method}`} className="decision-step">
          <p>
            Candidates in <strong>{step.queue}</strong>, ranked by {METHOD_WORDS[step.method] ?? words(step.method)}:
          </p>
          <table>
            <thead>
              <tr>
                <th scope="col">Agent</th>
                <th scope="col">Outcome</th>
                <th scope="col">Score (lower is better)</th>
              </tr>
            </thead>
            <tbody>
              {(step.candidates ?? []).map((c) => (
                <tr key={c.agentId} className={c.agentId === winner ? 'winner' : c.removedBy ? 'removed' : ''}>
                  <td>{c.agentId}</td>
                  <td>
                    {c.removedBy
                      ? `removed by ${words(c.removedBy.filter)}: ${c.removedBy.reason}`
                      : `ranked ${c.rank ?? '?'}${c.preferredBecause ? `, moved to the front: ${c.preferredBecause}` : ''}${c.agentId === winner ? ' — got the case' : ''}`}
                  </td>
                  <td>{c.score !== undefined ? c.score.toFixed(2) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {step.reasons && step.reasons.length > 0 && (
            <ul>
              {step.reasons.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          )}
        </div>
      ))}
      <p className="decision-outcome">
        {winner === 'queued' ? (
          <>Nobody could take it at that moment, so it waits in its queue.</>
        ) : (
          <>
            Why <strong>{winner}</strong>: {x.steps ? 'the best-ranked candidate who could take it now.' : ''} {(x.reasons ?? []).join(' ')}
          </>
        )}
      </p>
    </div>
  );
}

function GenericRecord({ d }: { d: Decision }) {
  const details = d.details as Record<string, unknown>;
  if (d.kind === 'territory') {
    const winner = details.winner as { territoryId?: string; specificity?: number; reasons?: string[] } | null;
    const runnersUp = (details.runnersUp ?? []) as { territoryId: string }[];
    return (
      <p>
        {winner ? (
          <>
            Territory <strong>{winner.territoryId}</strong> matched
            {winner.reasons?.length ? `: ${winner.reasons.join('; ')}` : ''}.
          </>
        ) : (
          <>No territory matched; the case went to manual review.</>
        )}
        {runnersUp.length > 0 && <> Also matching, but less specific: {runnersUp.map((r) => r.territoryId).join(', ')}.</>}
      </p>
    );
  }
  if (d.kind === 'priority') {
    const factors = (Array.isArray(details.factors) ? details.factors : []) as { factor?: string; explanation?: string; points?: number }[];
    const reasons = (Array.isArray(details.reasons) ? details.reasons : []) as unknown[];
    return (
      <>
        <p>
          Priority set to <strong>{d.outcome}</strong>
          {reasons.length ? `: ${reasons.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('; ')}` : '.'}
        </p>
        {factors.length > 0 && (
          <ul>
            {factors.map((f) => (
              <li key={f.factor}>
                {words(f.factor ?? '')}: {f.explanation}
                {typeof f.points === 'number' ? ` (${f.points} points)` : ''}
              </li>
            ))}
          </ul>
        )}
      </>
    );
  }
  return (
    <p>
      {words(d.kind)}: <strong>{d.outcome}</strong>
    </p>
  );
}

/** The routing decision record in plain words: which rule, every candidate and what removed it, the scores, why this agent. */
export function DecisionRecords({ decisions }: { decisions: Decision[] }) {
  if (decisions.length === 0) return <p className="muted">No routing decisions yet.</p>;
  // Who got the case and why first (newest first), then how it was placed and prioritised.
  const rank = (d: Decision) => (d.kind === 'assignment' ? 0 : d.kind === 'territory' ? 1 : 2);
  const ordered = [...decisions].sort((a, b) => rank(a) - rank(b) || b.at.localeCompare(a.at));
  return (
    <ol className="decisions">
      {ordered.map((d) => (
        <li key={d.decisionId}>
          <h4>
            {words(d.kind)} decision, {when(d.at)}
          </h4>
          {d.kind === 'assignment' ? <AssignmentRecord d={d} /> : <GenericRecord d={d} />}
          <details>
            <summary>Raw record</summary>
            <pre>{JSON.stringify(d.details, null, 2)}</pre>
          </details>
        </li>
      ))}
    </ol>
  );
}
