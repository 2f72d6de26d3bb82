/** `npm run replay -- --trace FILE …`: see replay-args.ts for the options, docs/replay.md for the report. */
import { replayMain } from './run-replay';

void replayMain(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, now: () => Date.now() }).then((code) => {
  process.exitCode = code;
});
