import { createHmac, timingSafeEqual } from 'node:crypto';

/** The cookie that lets a signed-in console's browser open Bull Board, a page it loads itself. */
export const SESSION_COOKIE = 'mxs_console';
export const QUEUES_PATH = '/admin/queues';
/** A signed-in tab rarely lives longer than a working day; past this the operator signs in again. */
export const SESSION_TTL_SEC = 12 * 3600;

/**
 * `<expiresSec>.<HMAC-SHA256(admin key, expiresSec)>`: only the admin key's holder can make one,
 * and a new admin key voids every cookie made with the old one.
 */
export function sessionToken(adminKey: string, nowSec: number): string {
  const expiresSec = nowSec + SESSION_TTL_SEC;
  return `${expiresSec}.${signature(adminKey, expiresSec)}`;
}

export function isValidSessionToken(adminKey: string, token: string | undefined, nowSec: number): boolean {
  const match = token === undefined ? null : /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (match === null) return false;
  const expiresSec = Number(match[1]);
  if (expiresSec <= nowSec || expiresSec > nowSec + SESSION_TTL_SEC) return false;
  const expected = Buffer.from(signature(adminKey, expiresSec));
  const presented = Buffer.from(match[2] ?? '');
  return expected.length === presented.length && timingSafeEqual(expected, presented);
}

/** No Max-Age: the browser forgets it when its session ends, like the key in sessionStorage. */
export function sessionCookie(token: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${token}; Path=${QUEUES_PATH}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=${QUEUES_PATH}; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
}

/** The session token in a Cookie header, if any. */
export function sessionTokenIn(cookieHeader: string | undefined): string | undefined {
  for (const part of (cookieHeader ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return value.join('=');
  }
  return undefined;
}

function signature(adminKey: string, expiresSec: number): string {
  return createHmac('sha256', adminKey).update(`mxs-console:${expiresSec}`).digest('base64url');
}
