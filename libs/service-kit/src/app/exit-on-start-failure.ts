/**
 * What every app's main does when it cannot start: one line naming the app and why (a
 * ConfigError's message already lists every bad variable), then exit code 1.
 */
export function exitOnStartFailure(appName: string): (error: unknown) => never {
  return (error) => {
    process.stderr.write(`${appName} failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  };
}
