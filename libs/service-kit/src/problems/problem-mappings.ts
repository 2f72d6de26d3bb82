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

/** Recognises an error no class mapping claims (a lost database connection is a plain Error), or answers undefined. */
export type ProblemClassifier = (error: object) => ProblemInit | undefined;

const classifiers = new Map<string, ProblemClassifier>();

/**
 * Registers a classifier, under a name, for errors that have no class of their own to map,
 * e.g. a database that could not be reached → 503 `unavailable`. Consulted, in the order first
 * registered, only for errors that would otherwise be a 500; registering a name again replaces
 * its classifier (each app instance of a test process registers its own).
 */
export function registerProblemClassifier(name: string, classify: ProblemClassifier): void {
  classifiers.set(name, classify);
}

/** The first registered classifier's problem for `error`, if any claims it; a classifier that throws claims nothing. */
export function classifyProblem(error: object): ProblemInit | undefined {
  for (const classify of classifiers.values()) {
    try {
      const init = classify(error);
      if (init !== undefined) return init;
    } catch {
      // A classifier that throws is a bug in the app; the error still gets its 500 and is logged.
    }
  }
  return undefined;
}
