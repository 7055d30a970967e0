import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createApi } from './api/client';
import { App } from './App';
import { restoreSession } from './auth/auth';
import { onSessionChange } from './auth/session';
import { setPollMs } from './lib/poll';
import { loadRuntimeConfig } from './runtime-config';
import './styles.css';

async function start(): Promise<void> {
  const root = createRoot(document.getElementById('root')!);
  try {
    const config = await loadRuntimeConfig();
    setPollMs(config.pollMs ?? 4000);
    createApi(config.apiUrl);
    const returnTo = await restoreSession(config);
    const queryClient = new QueryClient({
      defaultOptions: {
        // Polling stops while the tab is hidden (refetchIntervalInBackground false): no cost for idle tabs.
        queries: { retry: 1, refetchOnWindowFocus: true, refetchIntervalInBackground: false },
      },
    });
    // Signing out forgets every case read: the next user of this tab starts from nothing.
    onSessionChange((session) => {
      if (!session) queryClient.clear();
    });
    root.render(
      <StrictMode>
        <QueryClientProvider client={queryClient}>
          <App config={config} {...(returnTo ? { returnTo } : {})} />
        </QueryClientProvider>
      </StrictMode>,
    );
  } catch (error) {
    root.render(
      <main id="main">
        <h1>caseflow console</h1>
        <p role="alert">The console could not start: {(error as Error).message}</p>
      </main>,
    );
  }
}

void start();
