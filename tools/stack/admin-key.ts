import { randomBytes } from 'node:crypto';
import { StackError } from './stack-error';

/** The placement API refuses shorter keys; say so before starting it. */
export const MIN_ADMIN_KEY_LENGTH = 16;

/** MXS_ADMIN_KEY, or a fresh random one (43 base64url characters) when it is unset. */
export function resolveAdminKey(env: NodeJS.ProcessEnv, random: (bytes: number) => Buffer = randomBytes): { key: string; generated: boolean } {
  const configured = env['MXS_ADMIN_KEY'];
  if (configured === undefined || configured === '') return { key: random(32).toString('base64url'), generated: true };
  if (configured.length < MIN_ADMIN_KEY_LENGTH) {
    throw new StackError('invalid-config', `MXS_ADMIN_KEY must be at least ${MIN_ADMIN_KEY_LENGTH} characters (it has ${configured.length}); unset it to have one generated`);
  }
  return { key: configured, generated: false };
}
