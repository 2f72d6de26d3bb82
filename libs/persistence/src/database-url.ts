import { PersistenceError } from './errors';

/** Where every app and the migrate CLI look when DATABASE_URL is not set. */
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/mxs';

function parse(url: string): URL {
  try {
    return new URL(url);
  } catch {
    throw new PersistenceError('invalid-database-url', `not a URL: ${redactDatabaseUrl(url)}`);
  }
}

/** The database a postgres:// URL names (its path, percent-decoded). */
export function databaseNameOf(url: string): string {
  const name = decodeURIComponent(parse(url).pathname.replace(/^\//, ''));
  if (name === '' || name.includes('/')) {
    throw new PersistenceError('invalid-database-url', `the URL names no database: ${redactDatabaseUrl(url)}`);
  }
  return name;
}

/** The same server, user and options, another database. */
export function withDatabase(url: string, database: string): string {
  const parsed = parse(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/** Safe to print: the password, if any, is masked. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    // Unparsable, so we cannot tell which part is secret: show only the scheme, if any.
    const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0];
    return scheme === undefined ? '(unparsable URL)' : `${scheme}…`;
  }
}

/** A double-quoted SQL identifier; CREATE/DROP DATABASE take no bind parameters. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
