import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiFailure, toApiError } from '../api/client';
import { ErrorNote } from '../components/Errors';
import { when, words } from '../lib/format';

/**
 * The customer's page for one case, opened from the link in the acknowledgement: no account, the
 * signed and expiring token is the key. Case number, status, the conversation without internal
 * notes, and a box to add a message. Built against the designed routes `GET /status/{token}` and
 * `POST /status/{token}/messages` (docs/pending/t12-console-api.md). No token is kept anywhere.
 */
interface CaseStatus {
  caseNumber: string;
  subject: string;
  status: string;
  createdAt: string;
  messages: { direction: 'inbound' | 'outbound'; from: string; text: string; at: string }[];
}

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
            Case <strong>#{found.data.caseNumber}</strong>: {found.data.subject} — <span className="badge">{words(found.data.status)}</span>
          </p>
          <ol className="conversation" aria-label="Conversation">
            {found.data.messages.map((m) => (
              <li key={`${m.at}-${m.from}`} className={`message message-${m.direction}`}>
                <p className="message-meta">
                  <strong>{m.direction === 'inbound' ? 'You' : 'Support'}</strong> · <time dateTime={m.at}>{when(m.at)}</time>
                </p>
                <div className="message-text">{m.text}</div>
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
