const storageKey = 'mxs.console.adminKey';

/** The admin key for this tab's session only: sessionStorage, never localStorage. */
export class SessionStore {
  constructor(private readonly storage: Storage = globalThis.sessionStorage) {}

  read(): string | null {
    return this.storage.getItem(storageKey);
  }

  save(adminKey: string): void {
    this.storage.setItem(storageKey, adminKey);
  }

  forget(): void {
    this.storage.removeItem(storageKey);
  }
}
