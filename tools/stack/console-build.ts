import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { StackError } from './stack-error';

/** The admin console's bundle, which placement-api serves at /console: Vite takes a few seconds. */
export async function buildConsole(root: string, outDir: string): Promise<void> {
  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  try {
    await promisify(execFile)(process.execPath, [vite, 'build', '--config', join(root, 'apps', 'admin-console', 'vite.config.mts'), '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], { cwd: root });
  } catch (error) {
    const output = error as { stderr?: string; stdout?: string; message: string };
    throw new StackError('console-build-failed', `the admin console did not build:\n${output.stderr ?? ''}${output.stdout ?? ''}${output.message}`);
  }
}
