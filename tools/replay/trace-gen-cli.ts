/** `npm run trace:gen -- --seed N --vms N …`: see trace-gen.ts for the options. */
import { traceGenMain } from './trace-gen';

void traceGenMain(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then((code) => {
  process.exitCode = code;
});
