// The architecture lives here: DESIGN.md §2's dependency rule is a lint error, not a convention.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const domainLibs = ['libs/topology/**/*.ts', 'libs/policy/**/*.ts', 'libs/sla-metrics/**/*.ts', 'libs/rating/**/*.ts', 'libs/replay/**/*.ts'];

// Frameworks and I/O that pure domain code must never reach for.
const bannedInDomain = [
  '@nestjs/*',
  'typeorm',
  'bullmq',
  'ioredis',
  'pg',
  'express',
  'pino',
  'prom-client',
];

export default [
  { ignores: ['**/node_modules', '**/dist', '**/coverage', '.nx', 'tmp', '**/*.cjs', '**/*.mjs'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.mts'],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          banTransitiveDependencies: true,
          allow: [],
          depConstraints: [
            {
              sourceTag: 'type:domain',
              onlyDependOnLibsWithTags: ['type:domain'],
              bannedExternalImports: bannedInDomain,
            },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:domain', 'type:contracts'] },
            {
              sourceTag: 'type:data',
              onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:data'],
            },
            {
              sourceTag: 'type:kit',
              onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:kit'],
            },
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:data', 'type:kit'],
            },
            {
              sourceTag: 'type:tool',
              onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:data', 'type:kit'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // Pure domain code: no Node I/O, no ambient clock or randomness (pass them in).
    files: domainLibs,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(node:.*|fs|fs/promises|path|os|http|https|http2|net|dgram|dns|child_process|cluster|worker_threads|crypto|process|tls|readline|stream)$',
              message: 'Domain libraries are pure TypeScript: no Node I/O (DESIGN.md §2).',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'Domain code takes its configuration as arguments.' },
        { name: 'setTimeout', message: 'Domain code does not schedule; time is passed in.' },
        { name: 'setInterval', message: 'Domain code does not schedule; time is passed in.' },
        { name: 'fetch', message: 'Domain code does no I/O.' },
        { name: 'crypto', message: 'Ids and randomness are passed in (a seeded Rng).' },
        { name: 'require', message: 'Domain code imports only domain libraries.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Pass the time in (`nowMs`).' },
        { object: 'Math', property: 'random', message: 'Use a seeded Rng passed in.' },
        { object: 'performance', property: 'now', message: 'Pass the time in.' },
        { object: 'globalThis', property: 'process', message: 'Domain code takes its configuration as arguments.' },
        { object: 'globalThis', property: 'crypto', message: 'Ids and randomness are passed in (a seeded Rng).' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'new Date() reads the clock; pass the time in.',
        },
        {
          selector: "CallExpression[callee.name='Date']",
          message: 'Date() reads the clock; pass the time in.',
        },
      ],
    },
  },
];
