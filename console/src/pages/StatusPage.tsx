import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiFailure, type Schemas, toApiError } from '../api/client';
import { ErrorNote } from '../components/Errors';
import { bytes, when, words } from '../lib/format';

/**
 * The customer's page for one case, opened from the link in the acknowledgement: no account, the
 * signed and expiring token is the key. Case number, status, the conversation without internal
 * notes, and a box to add a message: `GET /status/{token}` and `POST /status/{token}/messages`
 * (docs/console.md#the-customers-status-page). No token is kept anywhere, and none is sent: the
 * requests carry no credentials and no referrer.
 */
type CaseStatus = Schemas['StatusView'];

/** The customer's words for where the case is (StatusView.status). */
const STATUS_WORDS: Record<CaseStatus['status'], string> = {
  received: 'Received: waiting for an agent',
  in_progress: 'An agent is working on it',
  waiting: 'On hold',
  resolved: 'Resolved',
  closed: 'Closed',
};

async function call<T>(base: string, token: string, init?: RequestInit): Promise<T> {
  const res = await fetch(`${base}/status/${encodeURIComponent(token)}${init?.method === 'POST' ? '/messages' : ''}`, {
    ...init,
    cache: 'no-store',
    credentials: 'omit',
    referrerPolicy: 'no-referrer',
  });
  const body = await res.json().catch(() => undefined);
  if (!res.ok) throw new ApiFailure(toApiError(res.status, body));
  return body as T;
}

export function StatusPage({ apiUrl, token }: { apiUrl: string; token: string }) {
  const client = useQueryClient();
  const [text, setText] = useState('');
  const found = useQuery({ queryKey: ['status', token], queryFn: () => call<CaseStatus>(apiUrl, token), retry: false });
  const send = useMutation({
    mutationFn: () => call(apiUrl, token, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }) }),
    onSuccess: () => {
      setText('');
      void client.invalidateQueries({ queryKey: ['status', token] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    send.mutate();
  };
  return (
    <main id="main" className="sign-in">
      <h1>Your support request</h1>
      {found.isPending && <p aria-busy="true">Loading…</p>}
      {found.isError && (
        <p role="alert">
          {found.error instanceof ApiFailure && found.error.detail.status === 404
            ? 'This link is not valid or has expired. Reply to our last email to reach us, and we will send you a new link.'
            : (found.error as Error).message}
        </p>
      )}
      {found.data && (
        <>
          <p>
            Case <strong>#{found.data.caseNumber}</strong>: {found.data.subject} —{' '}
            <span className="badge" data-status={found.data.status}>
              {STATUS_WORDS[found.data.status] ?? words(found.data.status)}
            </span>
          </p>
          <p className="muted">
            This link works until <time dateTime={found.data.linkExpiresAt}>{when(found.data.linkExpiresAt)}</time>; our next email brings a fresh one.
          </p>
          <ol className="conversation" aria-label="Conversation">
            {found.data.messages.map((m, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: messages have no id on this page; their order is fixed.
              <li key={`${m.at}-${i}`} className={`message message-${m.direction}`}>
                <p className="message-meta">
                  <strong>{m.direction === 'inbound' ? 'You' : m.from}</strong> · <time dateTime={m.at}>{when(m.at)}</time>
                </p>
                <div className="message-text">{m.text}</div>
                {m.attachments.length > 0 && (
                  <ul className="attachments" aria-label="Files">
                    {m.attachments.map((a, j) => (
                      // biome-ignore lint/suspicious/noArrayIndexKey: file names may repeat.
                      <li key={`${a.name}-${j}`}>
                        {a.name} <span className="muted">{bytes(a.size)}</span>
                      </li>
                    ))}
                  </ul>
                )}
              </li>
            ))}
          </ol>
          <form onSubmit={submit}>
            <label>
              Add a message
              <textarea required rows={5} value={text} onChange={(e) => setText(e.target.value)} />
            </label>
            <button type="submit" className="primary" disabled={send.isPending || !text.trim()}>
              Send
            </button>
          </form>
          <ErrorNote error={send.error} />
          {send.isSuccess && <p role="status">Thank you: your message was added to the case.</p>}
        </>
      )}
    </main>
  );
}
