export * from './host-agent';
