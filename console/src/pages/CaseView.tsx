import { useEffect, useRef } from 'react';
import { CaseActions } from '../components/Actions';
import { Conversation, Notes } from '../components/Conversation';
import { DecisionRecords } from '../components/Decision';
import { ErrorNote } from '../components/Errors';
import { SlaCountdowns } from '../components/Sla';
import { Timeline } from '../components/Timeline';
import { when, words } from '../lib/format';
import { useCase, useNow } from '../lib/hooks';
import { triageMarks } from '../lib/triage';

function Field({ name, children }: { name: string; children: React.ReactNode }) {
  return (
    <>
      <dt>{name}</dt>
      <dd>{children || <span className="muted">—</span>}</dd>
    </>
  );
}

export function CaseView({ caseId }: { caseId: string }) {
  const found = useCase(caseId);
  const now = useNow();
  const heading = useRef<HTMLHeadingElement>(null);
  const loaded = !!found.data && !found.isPlaceholderData;
  useEffect(() => {
    // Keyboard and screen-reader users land on the case, not at the top of the page.
    if (loaded) heading.current?.focus();
  }, [loaded]);
  if (found.isPending) return <p aria-busy="true">Loading the case…</p>;
  if (found.isError) return <ErrorNote error={found.error} />;
  const c = found.data;
  // Drawn from the list at once; the conversation, notes, decisions and timeline follow.
  const partial = found.isPlaceholderData;
  const loading = <p aria-busy="true">Loading…</p>;
  const account = [c.account?.name, c.account?.tier, c.account?.segment].filter(Boolean).join(' · ');
  return (
    <article className="case" data-testid="case-view" data-complete={partial ? 'false' : 'true'}>
      <header className="case-head">
        <h2 ref={heading} tabIndex={-1}>
          <span className="case-number">#{c.caseNumber}</span> {c.subject}
        </h2>
        <p>
          <span className={`badge status-${c.status}`}>{words(c.status)}</span> <span className="badge">{c.priority}</span>{' '}
          <span className="muted">version {c.version}</span>
        </p>
      </header>
      <div className="case-grid">
        <div className="case-main">
          <section aria-labelledby="sla-h">
            <h3 id="sla-h">SLA</h3>
            <SlaCountdowns sla={c.sla} now={now} />
          </section>
          <section aria-labelledby="desc-h">
            <h3 id="desc-h">Description</h3>
            <div className="message-text">{c.description}</div>
          </section>
          <section aria-labelledby="conv-h">
            <h3 id="conv-h">Conversation</h3>
            {partial ? loading : <Conversation caseId={c.caseId} messages={c.messages} />}
          </section>
          <section aria-labelledby="notes-h">
            <h3 id="notes-h">Internal notes</h3>
            {partial ? loading : <Notes messages={c.messages} />}
          </section>
          <section aria-labelledby="why-h">
            <h3 id="why-h">Why this case is where it is</h3>
            {partial ? loading : <DecisionRecords decisions={c.decisions} />}
          </section>
          <section aria-labelledby="tl-h">
            <h3 id="tl-h">Timeline</h3>
            {partial ? loading : <Timeline events={c.events} />}
          </section>
        </div>
        <aside className="case-side" aria-label="Case details and actions">
          <dl className="facts">
            <Field name="Customer">
              {c.contact.name ? `${c.contact.name} <${c.contact.email}>` : c.contact.email}
              {c.contact.phone ? ` · ${c.contact.phone}` : ''}
            </Field>
            <Field name="Account">{account}</Field>
            <Field name="Territory">{c.territory}</Field>
            <Field name="Queue">{c.queue}</Field>
            <Field name="Owner">{c.owner}</Field>
            <Field name="Language">{c.language}</Field>
            <Field name="Channel">{c.channel}</Field>
            <Field name="Product / type">{[c.product, c.type].filter(Boolean).join(' / ')}</Field>
            {c.triage && (
              <Field name="Filled by triage">
                {triageMarks(c.triage).map((line) => (
                  <div key={line}>{line}</div>
                ))}
              </Field>
            )}
            <Field name="Opened">{when(c.createdAt)}</Field>
          </dl>
          {partial ? loading : <CaseActions c={c} now={now} />}
        </aside>
      </div>
    </article>
  );
}
