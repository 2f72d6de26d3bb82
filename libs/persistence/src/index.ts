// Entities carry decorator metadata; load the Reflect polyfill before any of them.
import 'reflect-metadata';

export * from './errors';
export * from './database-url';
export * from './pg-errors';
export * from './entities';
export * from './migrations';
export * from './data-source';
export * from './ensure-database';
export { withClient } from './admin-client';
export { createTestDatabase } from './testing/test-database';
export type { TestDatabase } from './testing/test-database';
export * from './update-returning';
export * from './tenant-keys';
export * from './fleet-state';
