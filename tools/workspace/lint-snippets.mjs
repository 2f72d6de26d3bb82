// Lints code snippets as if they were files in the workspace; used by lint-rules.spec.ts, which
// cannot load ESLint's ESM config inside Jest's module sandbox. Reads
// [{ file, code }] as JSON on stdin, prints one array of "ruleId: message" lists.
import { ESLint } from 'eslint';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const workspaceRoot = join(import.meta.dirname, '..', '..');
const snippets = JSON.parse(readFileSync(0, 'utf8'));
// Snippets live at a path no tsconfig includes, so typed rules get TypeScript's default project.
const eslint = new ESLint({
  cwd: workspaceRoot,
  overrideConfig: {
    languageOptions: { parserOptions: { projectService: { allowDefaultProject: ['libs/*/lint-probe/*.ts'] } } },
  },
});
const out = [];
for (const { file, code } of snippets) {
  const [result] = await eslint.lintText(code, { filePath: join(workspaceRoot, file) });
  out.push((result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`));
}
process.stdout.write(JSON.stringify(out));
