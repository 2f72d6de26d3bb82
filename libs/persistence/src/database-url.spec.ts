/// <reference types="jest" />
import { databaseNameOf, quoteIdent, redactDatabaseUrl, withDatabase } from './database-url';
import { PersistenceError } from './errors';

describe('database URLs', () => {
  it('name their database, percent-decoded', () => {
    expect(databaseNameOf('postgres://postgres@127.0.0.1:5432/mxs')).toBe('mxs');
    expect(databaseNameOf('postgres://u@h/my%20db?sslmode=disable')).toBe('my db');
  });

  it('refuse a URL that names no database, without printing its password', () => {
    for (const url of ['postgres://u:secret@h:5432', 'postgres://u:secret@h:5432/', 'not a url secret']) {
      let thrown: unknown;
      try {
        databaseNameOf(url);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(PersistenceError);
      expect((thrown as PersistenceError).code).toBe('invalid-database-url');
      expect((thrown as PersistenceError).message).not.toContain('secret');
    }
  });

  it('switch database and keep the rest', () => {
    expect(withDatabase('postgres://u:p@h:6543/mxs?application_name=x', 'postgres')).toBe(
      'postgres://u:p@h:6543/postgres?application_name=x',
    );
  });

  it('mask passwords when shown', () => {
    expect(redactDatabaseUrl('postgres://u:p@h:notaport/mxs')).toBe('postgres://…');
    expect(redactDatabaseUrl('secret@host/db')).toBe('(unparsable URL)');
    expect(redactDatabaseUrl('postgres://u:hunter2@h/mxs')).toBe('postgres://u:***@h/mxs');
    expect(redactDatabaseUrl('postgres://u@h/mxs')).toBe('postgres://u@h/mxs');
  });

  it('quote identifiers, doubling quotes inside', () => {
    expect(quoteIdent('mxs_t_a')).toBe('"mxs_t_a"');
    expect(quoteIdent('a"b')).toBe('"a""b"');
  });
});
