import { Validator } from '@cfworker/json-schema';
import type { Schema } from '@cfworker/json-schema';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import type { Schemas } from '../api/client';
import { ApiFailure, api, toApiError, unwrap } from '../api/client';
import { ErrorNote } from '../components/Errors';
import schema from '../generated/config.schema.json';
import { lineDiff } from '../lib/diff';
import { lineOf, locateAll, toPointer } from '../lib/json-locate';

/**
 * The routing configuration editor. Validation as you type uses the JSON Schema exported from the
 * server's zod schema (console/codegen/generate.ts): the structure, types, patterns and enums are
 * checked here; what needs the whole document (unknown ids, duplicates, calendars) is checked by the
 * server's dry run (`POST /admin/config/validate`, apply's validation writing nothing) a moment after
 * typing stops, and its errors land at their paths the same way, before Apply. @cfworker/json-schema
 * interprets the schema (no generated code), so the CSP needs no 'unsafe-eval'.
 */
const validator = new Validator(schema as unknown as Schema, '2020-12', false);
/** Wrapper keywords whose failure only repeats what their children say. */
const WRAPPERS = new Set(['properties', 'items', 'prefixItems', '$ref', 'allOf', 'additionalProperties', 'unevaluatedProperties', 'default']);

interface Problem {
  pointer: string;
  message: string;
}

function check(text: string): { problems: Problem[]; parsed?: unknown } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return { problems: [{ pointer: '', message: `not valid JSON: ${(e as Error).message}` }] };
  }
  const result = validator.validate(parsed);
  const seen = new Set<string>();
  const problems: Problem[] = [];
  for (const err of result.errors) {
    if (WRAPPERS.has(err.keyword)) continue;
    const pointer = err.instanceLocation.replace(/^#/, '');
    const key = `${pointer}:${err.keyword}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ pointer, message: err.error.replace(/^Instance (does not|has)/, (m) => (m.endsWith('not') ? 'does not' : 'has')) });
  }
  return { problems, parsed };
}

/** How long typing must pause before the server's dry run checks the document. */
const DRY_RUN_DELAY_MS = 500;

type DryRunChanges = Schemas['ConfigurationDryRun']['changes'];

/** The server's dry run of one text: its problems (cross-references), or what applying it would change. */
interface DryRun {
  text: string;
  problems: Problem[];
  changes?: DryRunChanges;
}

const SECTION_NAMES: Record<keyof DryRunChanges['sections'], string> = {
  agents: 'agents',
  queues: 'queues',
  rules: 'rules',
  territories: 'territories',
  slaPolicies: 'SLA policies',
  businessHours: 'calendars',
  pods: 'pods',
};

/** "adds agents cy; removes queues billing; changes rules r1" */
function changeLines(changes: DryRunChanges): string[] {
  const lines: string[] = [];
  for (const [section, name] of Object.entries(SECTION_NAMES) as [keyof DryRunChanges['sections'], string][]) {
    const c = changes.sections[section];
    if (c.added.length) lines.push(`adds ${name} ${c.added.join(', ')}`);
    if (c.removed.length) lines.push(`removes ${name} ${c.removed.join(', ')}`);
    if (c.changed.length) lines.push(`changes ${name} ${c.changed.join(', ')}`);
  }
  if (changes.settings.length) lines.push(`changes ${changes.settings.join(', ')}`);
  return lines;
}

const display = (pointer: string) => (pointer === '' ? '(document)' : pointer.slice(1).split('/').join('.'));

export default function ConfigEditor() {
  const client = useQueryClient();
  const current = useQuery({ queryKey: ['config'], queryFn: async () => unwrap(await api().GET('/admin/config')) });
  const [text, setText] = useState<string>();
  const [baseVersion, setBaseVersion] = useState<number>();
  const [serverProblems, setServerProblems] = useState<Problem[]>([]);
  const [outcome, setOutcome] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  const original = current.data ? JSON.stringify(current.data.config, null, 2) : '';
  const edited = text ?? original;
  const deferred = useDeferredValue(edited);
  const local = useMemo(() => check(deferred), [deferred]);
  const diff = useMemo(() => lineDiff(original, deferred), [original, deferred]);
  const changed = diff.filter((d) => d.kind !== 'same').length;
  const [dryRun, setDryRun] = useState<DryRun>();

  // The server's dry run, once typing pauses on a document the schema accepts: cross-references before Apply.
  useEffect(() => {
    if (local.problems.length > 0 || changed === 0 || local.parsed === undefined) return;
    const text = deferred;
    const controller = new AbortController();
    const timer = setTimeout(async () => {
      try {
        const res = await api().POST('/admin/config/validate', { body: local.parsed as Record<string, unknown>, signal: controller.signal });
        if (res.response.ok && res.data) {
          setDryRun({ text, problems: [], changes: res.data.changes });
        } else {
          const failure = toApiError(res.response.status, res.error);
          const fields = failure.fields ?? [{ field: '', message: failure.message }];
          setDryRun({ text, problems: fields.map((f) => ({ pointer: toPointer(f.field), message: `${f.message} (server)` })) });
        }
      } catch {
        // Aborted by the next keystroke, or the network: Apply still validates in full.
      }
    }, DRY_RUN_DELAY_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [deferred, local, changed]);

  const dry = dryRun?.text === deferred && changed > 0 ? dryRun : undefined;
  const problems = [...local.problems, ...(dry?.problems ?? []), ...serverProblems];

  const goTo = (pointer: string) => {
    const at = locateAll(edited).get(pointer);
    const el = area.current;
    if (!el) return;
    el.focus();
    if (at) el.setSelectionRange(at.start, at.end);
  };

  const apply = async () => {
    setBusy(true);
    setOutcome(undefined);
    setError(undefined);
    setServerProblems([]);
    try {
      const version = baseVersion ?? current.data?.version;
      const res = await api().PUT('/admin/config', {
        params: { header: { 'If-Match': `"${version}"` } },
        body: JSON.parse(edited) as Record<string, unknown>,
      });
      if (res.response.status === 412) {
        const latest = unwrap(await api().GET('/admin/config'));
        client.setQueryData(['config'], latest);
        setBaseVersion(latest.version);
        setOutcome(
          `Not applied: version ${latest.version} was applied by ${latest.appliedBy} while you edited. Your text is kept; the diff now compares with that version. Apply again to replace it.`,
        );
        return;
      }
      if (!res.response.ok) {
        const failure = toApiError(res.response.status, res.error);
        if (failure.fields) setServerProblems(failure.fields.map((f) => ({ pointer: toPointer(f.field), message: `${f.message} (server)` })));
        throw new ApiFailure(failure);
      }
      setOutcome(`Applied as version ${res.data?.version}.`);
      setText(undefined);
      setBaseVersion(undefined);
      await client.invalidateQueries({ queryKey: ['config'] });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  if (current.isPending) return <p aria-busy="true">Loading the configuration…</p>;
  if (current.isError) return <ErrorNote error={current.error} />;
  const located = locateAll(deferred);
  return (
    <div className="config-editor">
      <h2>Routing configuration</h2>
      <p>
        Version {current.data.version}, applied {new Date(current.data.appliedAt).toLocaleString()} by {current.data.appliedBy}.
      </p>
      <div className="editor-grid">
        <label className="editor">
          Configuration (JSON)
          <textarea
            ref={area}
            spellCheck={false}
            wrap="off"
            value={edited}
            onChange={(e) => {
              setText(e.target.value);
              setServerProblems([]);
            }}
            rows={30}
            aria-describedby="config-problems"
            aria-invalid={problems.length > 0}
          />
        </label>
        <section id="config-problems" aria-live="polite" aria-label="Problems">
          <h3>{problems.length === 0 ? 'No problems found' : `${problems.length} problem${problems.length === 1 ? '' : 's'}`}</h3>
          <ul className="problems">
            {problems.map((p) => {
              const at = located.get(p.pointer);
              return (
                <li key={`${p.pointer}:${p.message}`}>
                  <button type="button" className="link" onClick={() => goTo(p.pointer)}>
                    <code>{display(p.pointer)}</code>
                    {at ? ` (line ${lineOf(deferred, at.start)})` : ''}
                  </button>{' '}
                  {p.message}
                </li>
              );
            })}
          </ul>
        </section>
      </div>
      <div className="row">
        <button
          type="button"
          className="primary"
          disabled={busy || local.problems.length > 0 || (dry?.problems.length ?? 0) > 0 || changed === 0}
          onClick={apply}
        >
          Apply
        </button>
        <button
          type="button"
          disabled={busy || text === undefined}
          onClick={() => {
            setText(undefined);
            setServerProblems([]);
            setBaseVersion(undefined);
          }}
        >
          Discard my edits
        </button>
        <span role="status">{outcome}</span>
      </div>
      <ErrorNote error={error} />
      {dry?.changes && (
        <section aria-labelledby="dry-run-h">
          <h3 id="dry-run-h">What applying would do (checked by the server)</h3>
          <ul aria-label="What applying would do">
            {changeLines(dry.changes).map((line) => (
              <li key={line}>{line}</li>
            ))}
            {changeLines(dry.changes).length === 0 && <li>nothing: the same as the current version</li>}
          </ul>
        </section>
      )}
      <section aria-labelledby="diff-h">
        <h3 id="diff-h">
          Changes against version {baseVersion ?? current.data.version} ({changed} line{changed === 1 ? '' : 's'})
        </h3>
        <pre className="diff">
          {diff.map((d, i) => {
            const near = diff.slice(Math.max(0, i - 2), i + 3).some((x) => x.kind !== 'same');
            if (!near) return null;
            return (
              // biome-ignore lint/suspicious/noArrayIndexKey: lines of a diff have no identity beyond their place.
              <div key={i} className={`diff-${d.kind}`}>
                {d.kind === 'added' ? '+ ' : d.kind === 'removed' ? '- ' : '  '}
                {d.text}
              </div>
            );
          })}
        </pre>
      </section>
    </div>
  );
}
