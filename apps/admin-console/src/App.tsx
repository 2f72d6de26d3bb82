import { BrowserRouter, Route, Routes, useLocation } from 'react-router';
import type { FetchFn } from './api/client';
import { ActionResults } from './components/ActionResults';
import { Layout } from './components/Layout';
import { DevicePage } from './pages/device/DevicePage';
import { ExpansionPage } from './pages/expansion/ExpansionPage';
import { ExpansionsPage } from './pages/expansions/ExpansionsPage';
import { FleetPage } from './pages/fleet/FleetPage';
import { InvoicePage } from './pages/invoice/InvoicePage';
import { NotFoundPage } from './pages/NotFoundPage';
import { SlaPage } from './pages/sla/SlaPage';
import { TenantPage } from './pages/tenant/TenantPage';
import { TenantsPage } from './pages/tenants/TenantsPage';
import { SessionProvider, useSession } from './session/SessionContext';
import { SignInView } from './session/SignInView';

function ConsoleRoutes(): React.JSX.Element {
  const { pathname } = useLocation();
  // A new page starts without the last page's action result.
  return (
    <ActionResults key={pathname}>
      <Routes>
        <Route path="/" element={<FleetPage />} />
        <Route path="/devices/:id" element={<DevicePage />} />
        <Route path="/expansions" element={<ExpansionsPage />} />
        <Route path="/expansions/:id" element={<ExpansionPage />} />
        <Route path="/tenants" element={<TenantsPage />} />
        <Route path="/tenants/:id" element={<TenantPage />} />
        <Route path="/invoices/:id" element={<InvoicePage />} />
        <Route path="/sla" element={<SlaPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </ActionResults>
  );
}

/** Sign-in until there is a key, then the pages; any router around it will do (tests use MemoryRouter). */
export function Console(): React.JSX.Element {
  const session = useSession();
  if (session.api === null) return <SignInView onSignIn={session.signIn} notice={session.notice} />;
  return (
    <Layout onSignOut={() => void session.signOut()}>
      <ConsoleRoutes />
    </Layout>
  );
}

export function App({ fetchFn }: { fetchFn?: FetchFn }): React.JSX.Element {
  return (
    <SessionProvider fetchFn={fetchFn}>
      <BrowserRouter basename="/console">
        <Console />
      </BrowserRouter>
    </SessionProvider>
  );
}
