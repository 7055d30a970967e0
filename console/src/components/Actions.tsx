import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { FormEvent, ReactNode } from 'react';
import { useId, useState } from 'react';
import type { CaseDetail } from '../api/client';
import { ApiFailure, api, toApiError, unwrap } from '../api/client';
import { getSession } from '../auth/session';
import { conditionalGet } from '../lib/conditional';
import { duration, when, words } from '../lib/format';
import { ErrorNote } from './Errors';

type Current = CaseDetail & { etag: string };
type Sent = { response: Response; error?: unknown; data?: unknown };

/** What a 412 found: the case as the writer last saw it, and as it is now. */
interface Conflict {
  before: CaseDetail;
  after: Current;
}

/**
 * Every write sends If-Match with the version the agent was looking at when they began (the first
 * keystroke pins it). A 412 means someone changed the case meanwhile: the form shows what changed
 * and keeps everything typed; the agent reads, then sends again on the new version.
 */
function useWrite(current: Current) {
  const client = useQueryClient();
  const [base, setBase] = useState<CaseDetail>();
  const [conflict, setConflict] = useState<Conflict>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const pin = () => setBase((b) => b ?? current);
  async function run(send: (ifMatch: string) => Promise<Sent>): Promise<boolean> {
    const used = base ?? current;
    setBusy(true);
    setError(undefined);
    try {
      const res = await send(`"${used.version}"`);
      if (res.response.status === 412) {
        const latest = await api().GET('/cases/{id}', { params: { path: { id: current.caseId } } });
        const after = { ...unwrap(latest), etag: latest.response.headers.get('etag') ?? '' };
        client.setQueryData(['case', current.caseId], after);
        setConflict({ before: used, after });
        return false;
      }
      if (!res.response.ok) throw new ApiFailure(toApiError(res.response.status, res.error));
      // The write answers with the case at its new version: the next write starts from it, even
      // before the refetch below lands.
      const data = res.data as { case?: CaseDetail; caseId?: string; version?: number } | undefined;
      const updated = data?.case ?? (data?.caseId ? (data as CaseDetail) : undefined);
      if (updated?.version !== undefined) {
        client.setQueryData<Current>(['case', current.caseId], (old) =>
          old ? { ...old, ...updated, messages: old.messages, events: old.events, decisions: old.decisions, etag: `"${updated.version}"` } : old,
        );
      }
      setBase(undefined);
      setConflict(undefined);
      await client.invalidateQueries();
      return true;
    } catch (e) {
      setError(e);
      return false;
    } finally {
      setBusy(false);
    }
  }
  const rebase = () => {
    if (conflict) setBase(conflict.after);
    setConflict(undefined);
  };
  return { pin, run, conflict, rebase, error, busy };
}

const WATCHED = ['status', 'priority', 'owner', 'queue', 'subject', 'territory', 'language'] as const;

export function ConflictView({ conflict, onRebase }: { conflict: Conflict; onRebase: () => void }) {
  const { before, after } = conflict;
  const changed = WATCHED.filter((f) => JSON.stringify(before[f]) !== JSON.stringify(after[f]));
  const known = new Set(before.messages.map((m) => m.messageId));
  const newMessages = after.messages.filter((m) => !known.has(m.messageId));
  const knownEvents = new Set(before.events.map((e) => e.eventId));
  const newEvents = after.events.filter((e) => !knownEvents.has(e.eventId));
  return (
    <section className="conflict" role="alert" aria-labelledby="conflict-title">
      <h4 id="conflict-title">This case changed while you were writing</h4>
      <p>
        Nothing was sent. Version {before.version} is now version {after.version}. Your text is kept below: read what changed, then send again.
      </p>
      {changed.length > 0 && (
        <ul>
          {changed.map((f) => (
            <li key={f}>
              {words(f)}: {String(before[f] ?? '—')} → <strong>{String(after[f] ?? '—')}</strong>
            </li>
          ))}
        </ul>
      )}
      {newMessages.length > 0 && (
        <ul aria-label="New messages">
          {newMessages.map((m) => (
            <li key={m.messageId}>
              New {m.direction === 'internal' ? 'note' : 'message'} from {m.from}: “{m.text.slice(0, 200)}”
            </li>
          ))}
        </ul>
      )}
      {newEvents.length > 0 && (
        <p className="muted">
          {newEvents.length} new event{newEvents.length === 1 ? '' : 's'}: {newEvents.map((e) => words(e.activity)).join(', ')}
        </p>
      )}
      <button type="button" onClick={onRebase}>
        I have read it: send on the new version
      </button>
    </section>
  );
}

function Panel({ title, children }: { title: string; children: ReactNode }) {
  const id = useId();
  return (
    <section className="panel" aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      {children}
    </section>
  );
}

function WriteState({ w }: { w: ReturnType<typeof useWrite> }) {
  return (
    <>
      {w.conflict && <ConflictView conflict={w.conflict} onRebase={w.rebase} />}
      <ErrorNote error={w.error} />
    </>
  );
}

function OfferBar({ c, now }: { c: Current; now: number }) {
  const w = useWrite(c);
  const [reason, setReason] = useState('');
  const due = (c as { due?: { kind: string; at: string } }).due;
  const left = due?.kind === 'accept' ? Date.parse(due.at) - now : undefined;
  return (
    <Panel title="Offered to you">
      {left !== undefined && (
        <p className={left < 60_000 ? 'sla-warning' : ''}>{left > 0 ? `${duration(left)} left before the offer moves on` : 'The offer is about to move on'}</p>
      )}
      <div className="row">
        <button
          type="button"
          className="primary"
          disabled={w.busy}
          onClick={() => w.run((m) => api().POST('/cases/{id}/accept', { params: { path: { id: c.caseId }, header: { 'If-Match': m } } }))}
        >
          Accept
        </button>
        <label>
          Reason to decline <input value={reason} onChange={(e) => setReason(e.target.value)} />
        </label>
        <button
          type="button"
          disabled={w.busy}
          onClick={() =>
            w.run((m) =>
              api().POST('/cases/{id}/decline', { params: { path: { id: c.caseId }, header: { 'If-Match': m } }, body: reason.trim() ? { reason } : {} }),
            )
          }
        >
          Decline
        </button>
      </div>
      <WriteState w={w} />
    </Panel>
  );
}

function ReplyForm({ c }: { c: Current }) {
  const w = useWrite(c);
  const [text, setText] = useState('');
  const [subject, setSubject] = useState('');
  const [cc, setCc] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const copies = cc.split(/[,;\s]+/).filter(Boolean);
    const ok = await w.run(async (m) => {
      // Each file goes up first, straight to the file store (docs/api.md#large-files); the reply names them by key.
      const uploads = await Promise.all(files.map((f) => uploadFile(c.caseId, f)));
      return api().POST('/cases/{id}/replies', {
        params: { path: { id: c.caseId }, header: { 'If-Match': m } },
        body: {
          text,
          ...(subject.trim() ? { subject } : {}),
          ...(copies.length ? { cc: copies } : {}),
          ...(uploads.length ? { uploads } : {}),
        },
      });
    });
    if (ok) {
      setText('');
      setSubject('');
      setCc('');
      setFiles([]);
    }
  };
  return (
    <Panel title="Reply to the customer">
      <form onSubmit={submit}>
        <label>
          Subject (optional){' '}
          <input
            value={subject}
            onChange={(e) => {
              w.pin();
              setSubject(e.target.value);
            }}
            placeholder={`Re: ${c.subject}`}
          />
        </label>
        <label>
          Cc (optional){' '}
          <input
            value={cc}
            onChange={(e) => {
              w.pin();
              setCc(e.target.value);
            }}
            placeholder="name@example.com"
          />
        </label>
        <label>
          Reply
          <textarea
            required
            rows={6}
            value={text}
            onChange={(e) => {
              w.pin();
              setText(e.target.value);
            }}
          />
        </label>
        <label>
          Attachments (up to 10 files, 25 MB each, 28 MB together){' '}
          <input
            type="file"
            multiple
            onChange={(e) => {
              w.pin();
              setFiles([...(e.target.files ?? [])]);
            }}
          />
        </label>
        <button type="submit" className="primary" disabled={w.busy || !text.trim()}>
          Send reply
        </button>
      </form>
      <WriteState w={w} />
    </Panel>
  );
}

/**
 * One file of a reply, uploaded: the API hands out a short-lived upload (POST /cases/{id}/uploads: a
 * pre-signed S3 POST in AWS, the local stack's route locally), and the browser sends the file there
 * itself, so no file rides in the reply's JSON body.
 */
async function uploadFile(caseId: string, file: File): Promise<{ key: string; name: string }> {
  const contentType = (file.type || 'application/octet-stream').toLowerCase();
  const grant = unwrap(await api().POST('/cases/{id}/uploads', { params: { path: { id: caseId } }, body: { contentType, size: file.size } }));
  const form = new FormData();
  for (const [name, value] of Object.entries(grant.fields)) form.append(name, value);
  form.append('file', file);
  const res = await fetch(grant.url, { method: 'POST', body: form });
  if (!res.ok) throw new ApiFailure({ status: res.status, error: 'UploadFailed', message: `${file.name} could not be uploaded (HTTP ${res.status})` });
  return { key: grant.key, name: file.name };
}

function NoteForm({ c }: { c: Current }) {
  const w = useWrite(c);
  const [text, setText] = useState('');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await w.run((m) => api().POST('/cases/{id}/notes', { params: { path: { id: c.caseId }, header: { 'If-Match': m } }, body: { text } }))) setText('');
  };
  return (
    <Panel title="Internal note">
      <form onSubmit={submit}>
        <label>
          Note (colleagues only, never the customer)
          <textarea
            required
            rows={3}
            value={text}
            onChange={(e) => {
              w.pin();
              setText(e.target.value);
            }}
          />
        </label>
        <button type="submit" disabled={w.busy || !text.trim()}>
          Add note
        </button>
      </form>
      <WriteState w={w} />
    </Panel>
  );
}

export function useTeam(pollMs?: number) {
  return useQuery({
    queryKey: ['agents'],
    queryFn: () => conditionalGet(['agents'], (header) => api().GET('/agents', { params: { header } })),
    ...(pollMs ? { refetchInterval: pollMs } : { staleTime: 30_000 }),
  });
}

const TARGETS = ['in_progress', 'on_hold', 'resolved', 'closed_unresolved', 'queued', 'needs_review'] as const;
type Target = (typeof TARGETS)[number];

function StatusForm({ c }: { c: Current }) {
  const w = useWrite(c);
  const choices = TARGETS.filter((t) => t !== c.status);
  const [picked, setStatus] = useState<Target>();
  // The default follows the case: resume a held case, resolve a worked one.
  const status: Target = picked && choices.includes(picked) ? picked : c.status === 'on_hold' ? 'in_progress' : 'resolved';
  const [comment, setComment] = useState('');
  const [reason, setReason] = useState('');
  const [until, setUntil] = useState('');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const body = {
      status,
      ...(comment.trim() ? { comment } : {}),
      ...(status === 'on_hold' ? { reason, ...(until ? { until: new Date(until).toISOString() } : {}) } : {}),
    };
    if (await w.run((m) => api().POST('/cases/{id}/status', { params: { path: { id: c.caseId }, header: { 'If-Match': m } }, body }))) {
      setStatus(undefined);
      setComment('');
      setReason('');
      setUntil('');
    }
  };
  return (
    <Panel title="Status">
      <form onSubmit={submit}>
        <label>
          New status
          <select
            value={status}
            onChange={(e) => {
              w.pin();
              setStatus(e.target.value as Target);
            }}
          >
            {choices.map((t) => (
              <option key={t} value={t}>
                {words(t)}
              </option>
            ))}
          </select>
        </label>
        {status === 'on_hold' && (
          <>
            <label>
              Reason for the hold (required){' '}
              <input
                required
                value={reason}
                onChange={(e) => {
                  w.pin();
                  setReason(e.target.value);
                }}
              />
            </label>
            <label>
              Until (optional){' '}
              <input
                type="datetime-local"
                value={until}
                onChange={(e) => {
                  w.pin();
                  setUntil(e.target.value);
                }}
              />
            </label>
          </>
        )}
        <label>
          Comment{status === 'closed_unresolved' ? ' (required to close unresolved)' : ' (optional)'}
          <textarea
            rows={2}
            required={status === 'closed_unresolved'}
            value={comment}
            onChange={(e) => {
              w.pin();
              setComment(e.target.value);
            }}
          />
        </label>
        <button type="submit" disabled={w.busy}>
          Change status
        </button>
      </form>
      <WriteState w={w} />
    </Panel>
  );
}

/** The required reason of a priority change or a reassignment; the first keystroke pins the version (useWrite). */
function ReasonField({ value, onChange, pin }: { value: string; onChange: (value: string) => void; pin: () => void }) {
  return (
    <label>
      Reason (required){' '}
      <input
        required
        value={value}
        onChange={(e) => {
          pin();
          onChange(e.target.value);
        }}
      />
    </label>
  );
}

function PriorityForm({ c }: { c: Current }) {
  const w = useWrite(c);
  const team = useTeam();
  const [priority, setPriority] = useState(c.priority);
  const [reason, setReason] = useState('');
  const configured = team.data?.priorities ?? [];
  const levels = configured.includes(c.priority) ? configured : [c.priority, ...configured];
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await w.run((m) => api().POST('/cases/{id}/priority', { params: { path: { id: c.caseId }, header: { 'If-Match': m } }, body: { priority, reason } })))
      setReason('');
  };
  return (
    <Panel title="Priority">
      <form onSubmit={submit}>
        <label>
          Priority
          <select
            value={priority}
            onChange={(e) => {
              w.pin();
              setPriority(e.target.value);
            }}
          >
            {levels.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
        <ReasonField value={reason} onChange={setReason} pin={w.pin} />
        <button type="submit" disabled={w.busy || priority === c.priority}>
          Change priority
        </button>
      </form>
      <WriteState w={w} />
    </Panel>
  );
}

function ReassignForm({ c }: { c: Current }) {
  const w = useWrite(c);
  const team = useTeam();
  const [target, setTarget] = useState('');
  const [reason, setReason] = useState('');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const [kind, id] = target.split(':') as ['agent' | 'queue', string];
    const body = kind === 'agent' ? { agent: id, reason } : { queue: id, reason };
    if (await w.run((m) => api().POST('/cases/{id}/reassign', { params: { path: { id: c.caseId }, header: { 'If-Match': m } }, body }))) setReason('');
  };
  return (
    <Panel title="Reassign">
      <form onSubmit={submit}>
        <label>
          To
          <select
            required
            value={target}
            onChange={(e) => {
              w.pin();
              setTarget(e.target.value);
            }}
          >
            <option value="">Choose an agent or a queue</option>
            <optgroup label="Agents">
              {(team.data?.agents ?? [])
                .filter((a) => a.id !== c.owner)
                .map((a) => (
                  <option key={a.id} value={`agent:${a.id}`}>
                    {a.name} ({a.state.presence})
                  </option>
                ))}
            </optgroup>
            <optgroup label="Queues">
              {(team.data?.queues ?? []).map((q) => (
                <option key={q.id} value={`queue:${q.id}`}>
                  {q.name}
                </option>
              ))}
            </optgroup>
          </select>
        </label>
        <ReasonField value={reason} onChange={setReason} pin={w.pin} />
        <button type="submit" disabled={w.busy || !target}>
          Reassign
        </button>
      </form>
      <WriteState w={w} />
    </Panel>
  );
}

/** `billing 2, sepa≥3, lamps` ▶ skills with their minimum levels (1 when none is given). */
export function parseSkills(text: string): { skill: string; minLevel?: number }[] {
  return text
    .split(/[,;]+/)
    .map((part) => /^\s*([^\s≥>=]+)\s*(?:(?:≥|>=|=)?\s*(\d{1,2}))?\s*$/.exec(part))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ skill: m[1]!, ...(m[2] ? { minLevel: Math.min(5, Math.max(1, Number(m[2]))) } : {}) }));
}

function SwarmForm({ c }: { c: Current }) {
  const w = useWrite(c);
  const [skills, setSkills] = useState('');
  const [note, setNote] = useState('');
  const swarm = c.swarm;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    // The skills wanted (`billing 2, sepa`: a name and an optional minimum level) replace what the case calls for.
    const wanted = parseSkills(skills);
    const body = { ...(note.trim() ? { note: note.trim() } : {}), ...(wanted.length ? { skills: wanted } : {}) };
    if (await w.run((m) => api().POST('/cases/{id}/swarm', { params: { path: { id: c.caseId }, header: { 'If-Match': m } }, body }))) {
      setNote('');
      setSkills('');
    }
  };
  return (
    <Panel title="Swarm">
      {swarm && (
        <div>
          <p>
            Swarm {swarm.status}, started {when(swarm.startedAt)} by {swarm.startedBy}.
          </p>
          <ul aria-label="Swarm members">
            {swarm.members.map((m) => (
              <li key={m.agentId}>
                {m.name} — {m.reasons.join('; ')}
              </li>
            ))}
          </ul>
        </div>
      )}
      <form onSubmit={submit}>
        <label>
          Skills wanted{' '}
          <input
            value={skills}
            onChange={(e) => {
              w.pin();
              setSkills(e.target.value);
            }}
            placeholder="billing 2, sepa"
          />
        </label>
        <label>
          What to ask the experts{' '}
          <input
            value={note}
            onChange={(e) => {
              w.pin();
              setNote(e.target.value);
            }}
          />
        </label>
        <button type="submit" disabled={w.busy}>
          {swarm?.status === 'open' ? 'Invite more experts' : 'Start a swarm'}
        </button>
      </form>
      <WriteState w={w} />
    </Panel>
  );
}

export function CaseActions({ c, now }: { c: Current; now: number }) {
  const session = getSession();
  const me = session?.agentId;
  const manager = !!session && (session.roles.includes('manager') || session.roles.includes('admin'));
  const mine = c.owner === me;
  const open = !['resolved', 'closed_unresolved'].includes(c.status);
  const works = mine || manager;
  return (
    <div className="actions">
      {c.status === 'assigned' && mine && <OfferBar c={c} now={now} />}
      {works && open && <ReplyForm c={c} />}
      <NoteForm c={c} />
      {works && <StatusForm c={c} />}
      {works && open && <PriorityForm c={c} />}
      {works && open && <ReassignForm c={c} />}
      {works && open && <SwarmForm c={c} />}
    </div>
  );
}
