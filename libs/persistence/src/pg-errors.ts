/** SQLSTATE codes the services branch on (PostgreSQL appendix A). */
export const PG_ERRORS = {
  notNullViolation: '23502',
  foreignKeyViolation: '23503',
  uniqueViolation: '23505',
  checkViolation: '23514',
  exclusionViolation: '23P01',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
  duplicateDatabase: '42P04',
  adminShutdown: '57P01',
  crashShutdown: '57P02',
  cannotConnectNow: '57P03',
  tooManyConnections: '53300',
} as const;

/** The fields of a PostgreSQL error that callers branch on. */
export interface PgErrorFields {
  readonly code: string;
  readonly constraint?: string;
  readonly table?: string;
  readonly detail?: string;
}

function fieldsOf(value: object): PgErrorFields | undefined {
  const { code, constraint, table, detail } = value as Record<string, unknown>;
  if (typeof code !== 'string') return undefined;
  return {
    code,
    ...(typeof constraint === 'string' ? { constraint } : {}),
    ...(typeof table === 'string' ? { table } : {}),
    ...(typeof detail === 'string' ? { detail } : {}),
  };
}

/**
 * The PostgreSQL error inside `error`: a node-postgres error, or TypeORM's QueryFailedError
 * wrapping one. Duck-typed, so two copies of TypeORM in node_modules cannot fool `instanceof`.
 */
export function pgErrorOf(error: unknown): PgErrorFields | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const driverError = (error as { driverError?: unknown }).driverError;
  if (typeof driverError === 'object' && driverError !== null) return fieldsOf(driverError);
  return fieldsOf(error);
}

function isViolation(error: unknown, code: string, constraint: string | undefined): boolean {
  const fields = pgErrorOf(error);
  if (fields?.code !== code) return false;
  return constraint === undefined || fields.constraint === constraint;
}

/** Two live extents would overlap on one device, or another EXCLUDE constraint refused a row. */
export function isExclusionViolation(error: unknown, constraint?: string): boolean {
  return isViolation(error, PG_ERRORS.exclusionViolation, constraint);
}

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  return isViolation(error, PG_ERRORS.uniqueViolation, constraint);
}

/** A CHECK constraint, or a trigger that raises check_violation with its constraint name. */
export function isCheckViolation(error: unknown, constraint?: string): boolean {
  return isViolation(error, PG_ERRORS.checkViolation, constraint);
}

export function isForeignKeyViolation(error: unknown, constraint?: string): boolean {
  return isViolation(error, PG_ERRORS.foreignKeyViolation, constraint);
}

/** A socket that could not reach, or lost, the server. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/**
 * The connection exceptions of SQLSTATE class 08 (not 08P01, a protocol violation: the client's
 * bug, such as a statement bound with the wrong number of parameters), and a server that is
 * shutting down, starting, or full: it will take connections again.
 */
const AWAY_STATES = new Set<string>(['08000', '08001', '08003', '08004', '08006', '08007', PG_ERRORS.adminShutdown, PG_ERRORS.crashShutdown, PG_ERRORS.cannotConnectNow, PG_ERRORS.tooManyConnections]);
/** node-postgres's own errors for a connection that closed, timed out or never came up (they carry no code). */
const LOST_CONNECTION = /^(Connection terminated|Client has encountered a connection error|Client was closed|timeout exceeded when trying to connect|timeout expired$)/;

/**
 * The database could not be reached, or the connection was lost, rather than the statement
 * being refused: a server down or restarting, a network cut, a full server. Whether the
 * statement committed is then unknown; a caller answers that it cannot tell now, so the client
 * retries. `depth` bounds the walk through wrapped errors.
 */
export function isConnectionError(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 3) return false;
  // Node joins the failures of each address it tried (localhost: ::1 and 127.0.0.1).
  if (error instanceof AggregateError) return error.errors.length > 0 && error.errors.every((e: unknown) => isConnectionError(e, depth + 1));
  const driverError = (error as { driverError?: unknown }).driverError;
  if (typeof driverError === 'object' && driverError !== null && driverError !== error) return isConnectionError(driverError, depth + 1);
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (SOCKET_CODES.has(code) || AWAY_STATES.has(code))) return true;
  return typeof message === 'string' && LOST_CONNECTION.test(message);
}

/**
 * Runs `statement` again when PostgreSQL aborts it as a deadlock victim or a serialization
 * failure: both roll the statement back whole, so running it again is safe. Only for a single
 * autocommitted statement (or a function that opens and commits its own transaction).
 */
export async function retryOnDeadlock<T>(statement: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await statement();
    } catch (error) {
      const code = pgErrorOf(error)?.code;
      const transient = code === PG_ERRORS.deadlockDetected || code === PG_ERRORS.serializationFailure;
      if (!transient || attempt >= attempts) throw error;
      // The winner holds its locks until it commits; a short, growing pause lets it finish.
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt));
    }
  }
}
