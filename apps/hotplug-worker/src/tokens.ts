/** Injection tokens of the worker's own providers. */
export const WORKER_CONFIG = Symbol('WORKER_CONFIG');
export const HOST_AGENT = Symbol('HOST_AGENT');
