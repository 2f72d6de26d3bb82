export * from './host-agent';
export * from './wire';
export * from './simulator-wire';
export * from './json-http';
export * from './http-host-agent';
export * from './simulator-control';
