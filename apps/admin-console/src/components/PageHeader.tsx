import type { ReactNode } from 'react';
import { UpdatedAt } from './UpdatedAt';

interface PageHeaderProps {
  title: ReactNode;
  updatedAt?: Date | undefined;
  children?: ReactNode;
}

export function PageHeader({ title, updatedAt, children }: PageHeaderProps): React.JSX.Element {
  return (
    <header className="page-header">
      <h1>{title}</h1>
      {children}
      <UpdatedAt at={updatedAt} />
    </header>
  );
}
