import type { z } from 'zod';

export type ConfigErrorCode = 'invalid-config';

/** Every bad variable at once, one line each, so an operator fixes them in one go. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code: ConfigErrorCode = 'invalid-config';

  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((line) => `  ${line}`).join('\n')}`);
  }
}

type Env = Record<string, string | undefined>;

// Values of these are secrets: a message names their length, never their content.
const SECRET_NAME = /KEY|SECRET|PASSWORD|TOKEN/i;

/**
 * Reads `schema`'s variables from `env`. An empty value counts as unset (as `FOO=` in an env file
 * means), so defaults apply. Throws ConfigError listing every problem.
 */
export function loadConfig<S extends z.ZodObject>(schema: S, env: Env = process.env): z.output<S> {
  const input: Record<string, string> = {};
  for (const name of Object.keys(schema.shape)) {
    const value = env[name];
    if (value !== undefined && value !== '') input[name] = value;
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;

  const problems: string[] = [];
  const seen = new Set<string>();
  for (const issue of result.error.issues) {
    const name = String(issue.path[0] ?? '(config)');
    if (seen.has(name)) continue; // one line per variable: the first complaint is the useful one
    seen.add(name);
    problems.push(`${name}: ${describe(issue.message, name, input[name])}`);
  }
  throw new ConfigError(problems);
}

function describe(zodMessage: string, name: string, value: string | undefined): string {
  // zod's own messages ("Invalid input: expected string, received undefined") read badly after a name.
  const message = zodMessage.replace(/^Invalid input: /, '').replace(/, received \w+$/, '');
  if (value === undefined) return `${message}, but it is not set`;
  if (SECRET_NAME.test(name)) return `${message}, got a value of ${value.length} characters`;
  return `${message}, got ${JSON.stringify(redactUrlPassword(value))}`;
}

function redactUrlPassword(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]+:)[^@/]*@/i, '$1***@');
}
