export * from './trace';
export * from './events';
export * from './host-ledger';
export * from './report';
