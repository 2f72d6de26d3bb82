export * from './queues';
export * from './expansion';
export * from './jobs';
export * from './usage';
