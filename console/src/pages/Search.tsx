import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import type { Case } from '../api/client';
import { api, unwrap } from '../api/client';
import { CaseTable } from '../components/CaseTable';
import { ErrorNote } from '../components/Errors';
import { useNow } from '../lib/hooks';
import { navigate, useLocation } from '../router';

/**
 * Search by case number, customer email or words of the subject (`GET /cases/search`,
 * docs/console.md#search); only cases the caller may read come back.
 */
async function search(q: string): Promise<Case[]> {
  return unwrap(await api().GET('/cases/search', { params: { query: { q, limit: 50 } } })).items;
}

export function Search() {
  const { query } = useLocation();
  const q = query.get('q') ?? '';
  const [text, setText] = useState(q);
  const now = useNow();
  const results = useQuery({ queryKey: ['search', q], queryFn: () => search(q), enabled: q.trim().length > 0 });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    navigate(`/search?${new URLSearchParams({ q: text.trim() })}`);
  };
  return (
    <div>
      <h2>Search</h2>
      <search>
        <form className="row" onSubmit={submit}>
          <label>
            Case number, customer email or words of the subject <input type="search" value={text} onChange={(e) => setText(e.target.value)} />
          </label>
          <button type="submit">Search</button>
        </form>
      </search>
      <ErrorNote error={results.error} />
      {results.data && <CaseTable cases={results.data} now={now} label={`Results for “${q}”`} />}
    </div>
  );
}
