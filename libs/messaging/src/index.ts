export * from './queues';
export * from './outbox-relay';
export * from './batcher';
export * from './prepared';
export * from './infra-providers';
export * from './job-wiring';
export * from './worker-lanes';
