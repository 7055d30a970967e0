import type { QueryClient } from '@tanstack/react-query';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { AgentMe, Case, CaseDetail } from '../api/client';
import { ApiFailure, api, toApiError } from '../api/client';
import { conditionalGet } from './conditional';
import { getPollMs } from './poll';

/** The current time, ticking every second (countdowns). */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

export function useMe() {
  return useQuery({
    queryKey: ['me'],
    queryFn: (): Promise<AgentMe> => conditionalGet(['me'], (header) => api().GET('/agents/me', { params: { header } })),
    refetchInterval: getPollMs(),
  });
}

/** The last 200 answer per case: its ETag goes back as If-None-Match, and a 304 reuses its body. */
const lastSeen = new Map<string, { etag: string; data: CaseDetail }>();

export type LoadedCase = CaseDetail & { etag: string };

/**
 * The open case, polled with If-None-Match: while it is unchanged the API answers 304 with no body,
 * so watching a case costs one small request per poll.
 */
export function caseQuery(caseId: string) {
  return {
    queryKey: ['case', caseId],
    queryFn: async (): Promise<LoadedCase> => {
      const held = lastSeen.get(caseId);
      const result = await api().GET('/cases/{id}', {
        params: { path: { id: caseId }, ...(held ? { header: { 'If-None-Match': held.etag } } : {}) },
      });
      if (result.response.status === 304 && held) return { ...held.data, etag: held.etag };
      if (!result.response.ok || !result.data) throw new ApiFailure(toApiError(result.response.status, result.error));
      const etag = result.response.headers.get('etag') ?? `"${result.data.version}"`;
      lastSeen.set(caseId, { etag, data: result.data });
      if (lastSeen.size > 200) lastSeen.delete(lastSeen.keys().next().value!);
      return { ...result.data, etag };
    },
  };
}

/** Starts loading a case before the click lands (pointer over or focus on its link). */
export function prefetchCase(client: QueryClient, caseId: string): void {
  void client.prefetchQuery({ ...caseQuery(caseId), staleTime: 2_000 });
}

/** A case as a list already holds it: the view draws at once, and the history follows. */
function fromLists(client: QueryClient, caseId: string): LoadedCase | undefined {
  for (const [, data] of client.getQueriesData<{ items?: Case[] }>({
    predicate: (q) => q.queryKey[0] === 'my-work' || q.queryKey[0] === 'queue' || q.queryKey[0] === 'search',
  })) {
    const items = Array.isArray(data) ? (data as Case[]) : data?.items;
    const found = items?.find((c) => c.caseId === caseId);
    if (found) return { ...found, messages: [], events: [], decisions: [], etag: `"${found.version}"` };
  }
  return undefined;
}

export function useCase(caseId: string) {
  const client = useQueryClient();
  return useQuery({ ...caseQuery(caseId), placeholderData: () => fromLists(client, caseId), refetchInterval: getPollMs() });
}
