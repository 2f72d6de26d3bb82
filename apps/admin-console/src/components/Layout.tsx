import type { ReactNode } from 'react';
import { NavLink } from 'react-router';

interface LayoutProps {
  children: ReactNode;
  onSignOut: () => void;
}

const sections = [
  { to: '/', label: 'Fleet', end: true },
  { to: '/expansions', label: 'Expansions', end: false },
  { to: '/tenants', label: 'Tenants', end: false },
  { to: '/sla', label: 'SLA', end: false },
];

export function Layout({ children, onSignOut }: LayoutProps): React.JSX.Element {
  return (
    <div className="shell">
      <header className="top">
        <span className="brand">mxs console</span>
        <nav className="sections" aria-label="Sections">
          {sections.map((section) => (
            <NavLink key={section.to} to={section.to} end={section.end}>
              {section.label}
            </NavLink>
          ))}
          {/* Bull Board is its own page behind the session cookie, outside the router. */}
          <a href="/admin/queues" target="_blank" rel="noopener">
            Queues
          </a>
        </nav>
        <button type="button" className="sign-out" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main className="content">{children}</main>
    </div>
  );
}
