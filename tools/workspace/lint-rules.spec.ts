/// <reference types="jest" />
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The architecture lives in the linter (DESIGN.md §2): these lint a few lines as if they were
 * written inside a domain library and check that the rules refuse what they must.
 */
const DOMAIN_FILE = 'libs/policy/lint-probe/probe.ts';

const cases = [
  { name: 'clean code importing another domain library', code: "import { Rng } from '@mxs/topology';\nexport const rng = new Rng(1);\n", rule: undefined },
  { name: 'Node I/O', code: "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n", rule: 'no-restricted-imports' },
  { name: 'a framework', code: "import { Injectable } from '@nestjs/common';\nexport const i = Injectable;\n", rule: '@nx/enforce-module-boundaries' },
  { name: 'a relative path into another project', code: "import { Rng } from '../../topology/src/rng';\nexport const r = Rng;\n", rule: '@nx/enforce-module-boundaries' },
  { name: 'the clock', code: 'export const now = (): number => Date.now();\n', rule: 'no-restricted-properties' },
  { name: 'ambient randomness', code: 'export const roll = (): number => Math.random();\n', rule: 'no-restricted-properties' },
  { name: 'process', code: 'export const env = (): unknown => process.env;\n', rule: 'no-restricted-globals' },
  { name: 'process through globalThis', code: 'export const env = (): unknown => globalThis.process.env;\n', rule: 'no-restricted-properties' },
  { name: 'the crypto global', code: 'export const id = (): string => crypto.randomUUID();\n', rule: 'no-restricted-globals' },
  { name: 'Date() without new', code: 'export const now = (): string => Date();\n', rule: 'no-restricted-syntax' },
  { name: 'new Date() without a time', code: 'export const now = (): Date => new Date();\n', rule: 'no-restricted-syntax' },
  {
    name: 'a floating promise',
    code: 'export async function work(): Promise<number> { return 1; }\nexport function go(): void { work(); }\n',
    rule: '@typescript-eslint/no-floating-promises',
  },
  {
    name: 'a switch that misses a case',
    code: "export function pick(t: 'a' | 'b'): number {\n  switch (t) { case 'a': return 1; }\n  return 0;\n}\n",
    rule: '@typescript-eslint/switch-exhaustiveness-check',
  },
] as const;

let results: string[][];

beforeAll(() => {
  const input = JSON.stringify(cases.map((c) => ({ file: DOMAIN_FILE, code: c.code })));
  const output = execFileSync(process.execPath, [join(__dirname, 'lint-snippets.mjs')], { input, encoding: 'utf8' });
  results = JSON.parse(output) as string[][];
});

describe('lint rules in a domain library', () => {
  it.each(cases.map((c, i) => [c.name, i] as const))('%s', (_name, i) => {
    const expected = cases[i]?.rule;
    const messages = results[i] ?? [];
    if (expected === undefined) expect(messages).toEqual([]);
    else expect(messages.filter((m) => m.startsWith(`${expected}:`))).not.toHaveLength(0);
  });
});
