export * from './errors';
export * from './request';
export * from './device-filters';
export * from './scorers';
export * from './rejection';
export * from './extents';
export * from './engine';
export * from './explain';
