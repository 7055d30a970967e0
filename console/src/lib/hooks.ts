import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import type { AgentMe, CaseDetail } from '../api/client';
import { ApiFailure, api, toApiError, unwrap } from '../api/client';
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
    queryFn: async (): Promise<AgentMe> => unwrap(await api().GET('/agents/me')),
    refetchInterval: getPollMs(),
  });
}

/**
 * The open case, polled with If-None-Match: while it is unchanged the API answers 304 with no body,
 * so watching a case costs one small request per poll.
 */
export function useCase(caseId: string) {
  const last = useRef<{ etag: string; data: CaseDetail } | undefined>(undefined);
  return useQuery({
    queryKey: ['case', caseId],
    queryFn: async (): Promise<CaseDetail & { etag: string }> => {
      const held = last.current;
      const result = await api().GET('/cases/{id}', {
        params: { path: { id: caseId }, ...(held ? { header: { 'If-None-Match': held.etag } } : {}) },
      });
      if (result.response.status === 304 && held) return { ...held.data, etag: held.etag };
      if (!result.response.ok || !result.data) throw new ApiFailure(toApiError(result.response.status, result.error));
      const etag = result.response.headers.get('etag') ?? `"${result.data.version}"`;
      last.current = { etag, data: result.data };
      return { ...result.data, etag };
    },
    refetchInterval: getPollMs(),
  });
}
