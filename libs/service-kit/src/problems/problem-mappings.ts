import type { ProblemInit } from './problem-error';

/** Turns a domain error into a problem; keep slugs stable, clients switch on them. */
export type ProblemMapper<E> = (error: E) => ProblemInit;

type ErrorClass<E> = abstract new (...args: never[]) => E;

const mappers = new Map<unknown, ProblemMapper<never>>();

/**
 * Registers how errors of a class (and its subclasses) become problems, e.g. TopologyError →
 * 409 `extent-not-free`. The most specific registered class wins; registering a class again replaces it.
 */
export function registerProblemMapping<E extends Error>(errorClass: ErrorClass<E>, mapper: ProblemMapper<E>): void {
  mappers.set(errorClass, mapper as ProblemMapper<never>);
}

/** The mapper for the error's own class or its nearest registered ancestor. */
export function findProblemMapper(error: object): ProblemMapper<object> | undefined {
  for (let proto: unknown = Object.getPrototypeOf(error); proto; proto = Object.getPrototypeOf(proto)) {
    const mapper = mappers.get((proto as { constructor?: unknown }).constructor);
    if (mapper) return mapper as ProblemMapper<object>;
  }
  return undefined;
}
