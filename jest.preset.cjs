// Shared Jest settings: SWC strips types (tsc checks them in the `typecheck` target) and
// `@mxs/*` imports resolve to each library's public `index.ts`, never past it.
const path = require('node:path');

const workspaceRoot = __dirname;

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.tsx?$': [
      '@swc/jest',
      {
        jsc: {
          target: 'es2022',
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@mxs/([a-z-]+)$': path.join(workspaceRoot, 'libs/$1/src/index.ts'),
  },
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  // A test file runs its properties many times; give slow CI machines room.
  testTimeout: 60_000,
};
