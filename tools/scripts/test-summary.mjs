// Adds up the Jest result files that each project's `test` target writes, and prints one line
// ("N passed, N failed") so a reader of CI output sees the whole count at the end.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(import.meta.dirname, '..', '..', 'tmp', 'test-results');
let passed = 0;
let failed = 0;
let suites = 0;
for (const file of existsSync(dir) ? readdirSync(dir) : []) {
  if (!file.endsWith('.json')) continue;
  const result = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  passed += result.numPassedTests;
  failed += result.numFailedTests;
  suites += result.numTotalTestSuites;
}
if (suites === 0) {
  console.error('test-summary: no Jest results found under tmp/test-results');
  process.exit(1);
}
console.log(`\n${suites} test suites`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
