import { useState } from 'react';
import type { Message } from '../api/client';
import { downloadAttachment } from '../api/client';
import { bytes, when } from '../lib/format';
import { sanitizeHtml } from '../lib/sanitize';

/**
 * Customer and agent messages. HTML (email) is shown only after DOMPurify, inside a container
 * that cannot run script; plain text is text (React escapes it). Nothing is ever set raw.
 */
function Body({ m }: { m: Message }) {
  const html = typeof m.html === 'string' ? m.html : undefined;
  if (html) {
    // biome-ignore lint/security/noDangerouslySetInnerHtml: sanitised by DOMPurify with a narrow allow-list just above.
    return <div className="message-html" dangerouslySetInnerHTML={{ __html: sanitizeHtml(html) }} />;
  }
  return <div className="message-text">{m.text}</div>;
}

function Attachments({ caseId, m }: { caseId: string; m: Message }) {
  const [error, setError] = useState<string>();
  if (m.attachments.length === 0) return null;
  return (
    <ul className="attachments" aria-label="Attachments">
      {m.attachments.map((a, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: attachments are addressed by their place in the message (names may repeat).
        <li key={`${a.name}-${i}`}>
          <button
            type="button"
            className="link"
            onClick={() =>
              // A short-lived link, authorised like the case (docs/api.md#attachments); the browser fetches it itself.
              downloadAttachment(caseId, m.messageId, i, a.name).catch((e: Error) => setError(e.message))
            }
          >
            {a.name}
          </button>{' '}
          <span className="muted">
            {a.contentType}, {bytes(a.size)}
          </span>
        </li>
      ))}
      {error && <li role="alert">Download failed: {error}</li>}
    </ul>
  );
}

export function Conversation({ caseId, messages }: { caseId: string; messages: Message[] }) {
  const shown = messages.filter((m) => m.direction !== 'internal');
  if (shown.length === 0) return <p className="muted">No messages yet.</p>;
  return (
    <ol className="conversation">
      {shown.map((m) => (
        <li key={m.messageId} className={`message message-${m.direction}`}>
          <p className="message-meta">
            <strong>{m.direction === 'inbound' ? m.from : `Agent ${m.from}`}</strong> · {m.channel} · <time dateTime={m.at}>{when(m.at)}</time>
          </p>
          {m.subject && <p className="message-subject">{m.subject}</p>}
          <Body m={m} />
          <Attachments caseId={caseId} m={m} />
        </li>
      ))}
    </ol>
  );
}

export function Notes({ messages }: { messages: Message[] }) {
  const notes = messages.filter((m) => m.direction === 'internal');
  if (notes.length === 0) return <p className="muted">No internal notes.</p>;
  return (
    <ol className="notes">
      {notes.map((m) => (
        <li key={m.messageId}>
          <p className="message-meta">
            <strong>{m.from}</strong> · <time dateTime={m.at}>{when(m.at)}</time>
          </p>
          <div className="message-text">{m.text}</div>
        </li>
      ))}
    </ol>
  );
}
