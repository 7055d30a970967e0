import { lazy, Suspense, useEffect, useState, useSyncExternalStore } from 'react';
import { signOut } from './auth/auth';
import { getSession, isAdmin, isManager, onSessionChange } from './auth/session';
import { PresenceSwitch } from './components/Presence';
import { CaseView } from './pages/CaseView';
import { ConfigViews } from './pages/ConfigViews';
import { MyWork } from './pages/MyWork';
import { MyQueues, QueueBoard } from './pages/Queues';
import { Reports } from './pages/Reports';
import { Search } from './pages/Search';
import { SignIn } from './pages/SignIn';
import { StatusPage } from './pages/StatusPage';
import { TeamBoard } from './pages/TeamBoard';
import { Link, Redirect, match, navigate, useLocation } from './router';
import type { RuntimeConfig } from './runtime-config';

// The editor brings the configuration's JSON Schema and its validator: loaded only when opened.
const ConfigEditor = lazy(() => import('./pages/ConfigEditor'));

function useSession() {
  return useSyncExternalStore(onSessionChange, getSession);
}

function Nav() {
  const session = getSession();
  const { path } = useLocation();
  const item = (to: string, label: string) => (
    <li>
      <Link to={to} aria-current={path === to || (to !== '/' && path.startsWith(`${to}/`)) ? 'page' : undefined}>
        {label}
      </Link>
    </li>
  );
  return (
    <nav aria-label="Main">
      <ul>
        {item('/work', 'My work')}
        {item('/queues', 'My queues')}
        {item('/search', 'Search')}
        {isManager(session) && item('/team', 'Team board')}
        {isManager(session) && item('/queue-board', 'Queue board')}
        {isManager(session) && item('/reports', 'Reports')}
        {isAdmin(session) && item('/admin/config', 'Configuration')}
        {isAdmin(session) && item('/admin/views', 'Territories, queues, rules')}
      </ul>
    </nav>
  );
}

function Page({ path }: { path: string }) {
  const session = getSession();
  let params: Record<string, string> | undefined;
  if (path === '/' || path === '/sign-in') return <Redirect to="/work" />;
  if (path === '/work') return <MyWork />;
  if (path === '/queues') return <MyQueues />;
  if (path === '/search') return <Search />;
  if ((params = match('/cases/:id', path))) return <CaseView key={params.id} caseId={params.id!} />;
  if (isManager(session) && path === '/team') return <TeamBoard />;
  if (isManager(session) && path === '/queue-board') return <QueueBoard />;
  if (isManager(session) && path === '/reports') return <Reports />;
  if (isAdmin(session) && path === '/admin/config')
    return (
      <Suspense fallback={<p aria-busy="true">Loading the editor…</p>}>
        <ConfigEditor />
      </Suspense>
    );
  if (isAdmin(session) && path === '/admin/views') return <ConfigViews />;
  return (
    <p>
      Nothing here (or not for your role). <Link to="/work">Back to my work</Link>
    </p>
  );
}

export function App({ config, returnTo }: { config: RuntimeConfig; returnTo?: string }) {
  const session = useSession();
  const { path } = useLocation();
  const [pending, setPending] = useState(returnTo);
  useEffect(() => {
    if (session && pending) {
      navigate(pending, true);
      setPending(undefined);
    }
  }, [session, pending]);
  useEffect(() => {
    // Every page names itself: the title follows the route.
    document.title = `${path === '/' ? 'caseflow' : path.split('/')[1]?.replace(/-/g, ' ')} · caseflow console`;
  }, [path]);
  // The customer's status page needs no sign-in: its signed link is the key.
  const status = match('/status/:token', path);
  if (status) return <StatusPage apiUrl={config.apiUrl} token={status.token!} />;
  if (!session)
    return <SignIn config={config} returnTo={path === '/sign-in' ? '/work' : path} onDone={() => navigate(path === '/sign-in' ? '/work' : path, true)} />;
  return (
    <>
      <a className="skip" href="#main">
        Skip to the content
      </a>
      <header className="top">
        <h1>
          <Link to="/work">caseflow</Link>
        </h1>
        <Nav />
        <PresenceSwitch />
        <span className="who">
          {session.agentId}
          {config.idp.kind === 'local' && <span className="local-tag"> (local)</span>}
        </span>
        <button type="button" onClick={() => signOut(config)}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <Page path={path} />
      </main>
    </>
  );
}
