export * from './processes';
export * from './api-client';
export * from './queue-keys';
export * from './test-environment';
export * from './in-process-app';
export * from './tcp-proxy';
