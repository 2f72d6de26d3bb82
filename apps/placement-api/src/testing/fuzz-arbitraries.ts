import fc from 'fast-check';

/** One HTTP request as the fuzzer builds it: the body is raw text, so it can be anything. */
export interface FuzzRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

const base64url = (text: string): string => Buffer.from(text).toString('base64url');

/** Strings that have broken parsers, SQL and path handling elsewhere. */
const ODD_STRINGS = [
  '', ' ', '\u0000', 'a\u0000b', '\t', '\n', '../', '../../etc/passwd', '..%2f..%2f', '%00', '%', '%ZZ', '\ud800', '\udfff',
  '💥', 'ǅ', 'İ', '\u202e', '\ufeff', 'null', 'undefined', 'true', '0', '-1', '1e999', 'NaN', 'Infinity', '<script>',
  "'; DROP TABLE tenants; --", '$1', '\\', '"', '{}', '[]', 'a'.repeat(129), 'a'.repeat(300), 'ü'.repeat(2_000), 'x'.repeat(70_000),
] as const;

const NUMBERS = [
  0, -0, -1, 1, 1.5, 2, 8, 9, 1024, 2048, 2049, 65_536, 65_537, 100_000, 100_001, 10_000_000, 10_000_001, 2 ** 31 - 1, 2 ** 31,
  -(2 ** 31) - 1, 2 ** 53, 2 ** 53 + 2, 1e21, 1e308, -1e308, Number.MIN_VALUE,
] as const;

export const oddString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...ODD_STRINGS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  // Text PostgreSQL cannot store: a NUL byte somewhere inside an otherwise ordinary value.
  { weight: 2, arbitrary: fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 })).map(([a, b]) => `${a}\u0000${b}`) },
);

export const oddNumber: fc.Arbitrary<number> = fc.oneof(fc.constantFrom(...NUMBERS), fc.integer(), fc.double(), fc.integer({ min: -3, max: 3000 }));

/** Any JSON value a client might send where a field is expected. */
export const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: oddString },
  { weight: 3, arbitrary: oddNumber },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.array(fc.oneof(oddString, oddNumber), { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

/** A valid body with one to three fields changed, removed or added (own `__proto__` included). */
export function mutatedBody(valid: Readonly<Record<string, unknown>>, domain: readonly unknown[] = []): fc.Arbitrary<string> {
  const keys = [...Object.keys(valid), 'unknownField', '__proto__', 'constructor', ''];
  const value = domain.length === 0 ? oddValue : fc.oneof(oddValue, fc.constantFrom(...domain));
  return fc.array(fc.tuple(fc.constantFrom(...keys), fc.option(value, { nil: undefined, freq: 5 })), { minLength: 1, maxLength: 3 }).map((changes) => {
    const body: Record<string, unknown> = { ...valid };
    for (const [key, v] of changes) {
      if (v === undefined) delete body[key];
      else Object.defineProperty(body, key, { value: v, enumerable: true, writable: true, configurable: true });
    }
    return JSON.stringify(body);
  });
}

const MALFORMED_JSON = [
  '', ' ', '{', '}', '{"a":', '[1,2', 'nul', '{"sizeGiB": 8,}', "{'a':1}", '\ufeff{}', '{"a":1}{"b":2}', '"a string"', '123', 'true',
  'null', '{"a":"\\u00"}', '{"a":"\\ud800"}', '{"a":1e400}', '{"__proto__":{"admin":true}}', `${'['.repeat(5_000)}${']'.repeat(5_000)}`,
  '{"a":"\u0000"}', '\u0000', '{"a":1,"a":2}',
] as const;

/** Body text for a route whose valid body is `valid`. */
export function bodyText(valid: Readonly<Record<string, unknown>>, domain: readonly unknown[] = []): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: mutatedBody(valid, domain) },
    { weight: 1, arbitrary: fc.constant(JSON.stringify(valid)) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
    { weight: 2, arbitrary: fc.constantFrom(...MALFORMED_JSON) },
    // Numbers JSON.stringify never writes: 8.0, 1e400, leading zeros, hex.
    { weight: 1, arbitrary: fc.constantFrom('8.0', '1e400', '-1e400', '08', '0x10', '1E3', '-0', '8.0000000000000001').map((n) => JSON.stringify(valid).replace(/:(\d+)/, `:${n}`)) },
    { weight: 1, arbitrary: fc.constant(JSON.stringify({ ...valid, pad: 'x'.repeat(1_100_000) })) },
  );
}

/** Header values fetch can send (latin-1 without controls or DEL) but nobody should. */
const headerText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).filter((c) => c !== 0x7f).map((c) => String.fromCharCode(c)), maxLength: 40 }),
  fc.constantFrom('', ' ', 'a'.repeat(300), 'a'.repeat(9_000), '../', '%00', 'null'),
);

export interface AuthKeys {
  readonly own: string;
  readonly other: readonly string[];
}

/** Authorization headers: usually the right key, otherwise missing, malformed, foreign or made up. */
export function authorization(keys: AuthKeys): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.constant(`Bearer ${keys.own}`) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: fc.constantFrom(...keys.other.map((k) => `Bearer ${k}`)) },
    {
      weight: 2,
      arbitrary: fc.oneof(
        fc.constantFrom('Bearer', 'Bearer ', `bearer ${keys.own}`, `Bearer  ${keys.own} `, `Basic ${keys.own}`, `${keys.own}`, `Bearer ${keys.own}x`,
          `Bearer ${keys.own.slice(0, -1)}`, 'Bearer mxs_000000000000_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', `Bearer ${keys.own} ${keys.own}`),
        headerText.map((t) => `Bearer ${t}`),
        headerText,
      ),
    },
  );
}

const CONTENT_TYPES = [
  'application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/merge-patch+json', 'application/problem+json',
  'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1',
  'application/json; charset=utf-16', 'application/xml', '*/*', 'application/json;;', 'application/', '',
] as const;

/** The headers of a request with a body: content type, encoding, request id, and noise. */
export function bodyHeaders(auth: fc.Arbitrary<string | undefined>): fc.Arbitrary<Record<string, string>> {
  return fc
    .record({
      authorization: auth,
      'content-type': fc.oneof({ weight: 8, arbitrary: fc.constant('application/json') }, { weight: 3, arbitrary: fc.constantFrom(...CONTENT_TYPES) }, { weight: 1, arbitrary: fc.constant(undefined) }),
      'content-encoding': fc.oneof({ weight: 12, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'zstd', 'x') }),
      'x-request-id': fc.option(fc.oneof(headerText, fc.constant('fine-request-id')), { nil: undefined, freq: 3 }),
      extra: fc.option(fc.tuple(fc.stringMatching(/^x-[a-z0-9-]{1,20}$/), headerText), { nil: undefined, freq: 3 }),
    })
    .map(({ extra, ...named }) => definedOnly({ ...named, ...(extra === undefined ? {} : { [extra[0]]: extra[1] }) }));
}

export function definedOnly(headers: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter((e): e is [string, string] => e[1] !== undefined));
}

/** Idempotency keys: fresh, reused with another body, missing, empty, too long or not ASCII. */
export const idempotencyKey: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 6, arbitrary: fc.uuid() },
  { weight: 2, arbitrary: fc.constant('fuzz-reused-key') },
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.oneof(headerText, fc.constantFrom('', ' ', 'k'.repeat(255), 'k'.repeat(256), 'a b', 'clé')) },
);

/** encodeURIComponent, or every UTF-8 byte escaped when the text has a lone surrogate it refuses. */
function percentEncoded(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return [...Buffer.from(text, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
  }
}

/** A path segment: usually a real id, otherwise a stranger, percent-encoded or raw. */
export function pathSegment(known: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...known) },
    { weight: 1, arbitrary: fc.uuid().map(String) },
    { weight: 3, arbitrary: oddString.map((s) => percentEncoded(s.slice(0, 2_000))) },
    { weight: 1, arbitrary: fc.constantFrom('%00', '%', '%ZZ', '%E0%A4%A', '..', '.', '..%2F..%2Fadmin', '%2e%2e', 'a%2Fb', '%C0%AE', ';', 'a;b=c', '%20', '~', '%F0%9F%92%A5') },
  );
}

/** Datetimes the cursor schema accepts or almost accepts, year 0000 and 9999 included. */
const cursorTime: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(fc.oneof(fc.constantFrom(0, 1, 1969, 9999), fc.integer({ min: 0, max: 9999 })), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 999_999_999 }))
    .map(([y, mo, d, h, frac]) => `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}:59:59.${frac}Z`),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  oddString,
);

/** Cursors: garbage, base64url of odd JSON, and well-formed positions that point nowhere. */
export function cursor(real: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.constantFrom(...real) },
    { weight: 2, arbitrary: oddString },
    { weight: 1, arbitrary: fc.base64String({ maxLength: 40 }) },
    { weight: 3, arbitrary: fc.tuple(cursorTime, fc.oneof(fc.uuid(), oddString)).map((p) => base64url(JSON.stringify(p))) },
    { weight: 2, arbitrary: fc.array(oddString, { maxLength: 3 }).map((p) => base64url(JSON.stringify(p))) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => base64url(JSON.stringify(v))) },
  );
}

/** A query string from named parameters with odd values, plus raw oddities. */
export function queryString(params: Readonly<Record<string, fc.Arbitrary<string>>>): fc.Arbitrary<string> {
  const names = [...Object.keys(params), 'unknown', 'limit[]', 'state[a]'];
  const anyValue = fc.oneof(oddString, fc.constantFrom('0', '1', '100', '101', '-1', '1e2', '0x10', ' 5', '5.5', 'NaN', '9'.repeat(400)));
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .array(fc.constantFrom(...names).chain((name) => fc.tuple(fc.constant(name), params[name] === undefined ? anyValue : fc.oneof(params[name], anyValue))), { maxLength: 4 })
        .map((pairs) => (pairs.length === 0 ? '' : `?${new URLSearchParams(pairs).toString()}`)),
    },
    { weight: 1, arbitrary: fc.constantFrom('?limit=1&limit=2', '?cursor=%ZZ', '?&&&', '?=', '?limit', `?cursor=${'a'.repeat(5_000)}`, '?%00=%00', '?state=placed&state=active') },
  );
}
