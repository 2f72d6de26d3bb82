/**
 * Runtime entities of a `Fleet`, one file each. Their identity and wiring are fixed; their state
 * and counters are read-only here and change only through `Fleet` methods (the `@internal` ones
 * are for it), which keep them consistent with each other.
 */
export * from './path';
export * from './host';
export * from './device';
export * from './vm';
