// Component tests render views in jsdom; browser tests (e2e/) drive Debian's Chromium against
// the whole stack. Both share the workspace's SWC transform, here with JSX.
const preset = require('../../jest.preset.cjs');
const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', tsx: true },
      transform: { react: { runtime: 'automatic' } },
    },
    module: { type: 'commonjs' },
  },
];

module.exports = {
  displayName: 'admin-console',
  rootDir: __dirname,
  testTimeout: preset.testTimeout,
  maxWorkers: 2,
  projects: [
    {
      ...preset,
      displayName: 'admin-console:components',
      rootDir: __dirname,
      testEnvironment: 'jsdom',
      transform: { '^.+\\.tsx?$': swc },
      moduleFileExtensions: ['tsx', 'ts', 'js', 'json'],
      testMatch: ['<rootDir>/src/**/*.spec.tsx', '<rootDir>/src/**/*.spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/src/testing/setup.ts'],
    },
    {
      ...preset,
      displayName: 'admin-console:browser',
      rootDir: __dirname,
      testMatch: ['<rootDir>/e2e/**/*.spec.ts'],
    },
  ],
};
