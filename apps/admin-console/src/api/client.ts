import { ApiProblem } from './problem';
import type { ProblemDetails } from './types';

export type FetchFn = (input: string, init?: RequestInit) => Promise<Response>;
export type Query = Record<string, string | number | undefined | null>;

export interface ApiClientOptions {
  /** '' = the console's own origin, where placement-api serves it. */
  baseUrl?: string;
  /** Called on any 401, so the console can return to sign-in. */
  onUnauthorized?: () => void;
}

export interface Download {
  blob: Blob;
  /** From Content-Disposition, when the server named the file. */
  fileName: string | null;
}

/** Calls the admin API with the operator's key and turns error answers into `ApiProblem`s. */
export class ApiClient {
  private readonly baseUrl: string;
  private readonly onUnauthorized: (() => void) | undefined;

  constructor(
    private readonly key: string,
    // A wrapper, not globalThis.fetch itself: browsers refuse fetch called on another `this`.
    private readonly fetchFn: FetchFn = (input, init) => globalThis.fetch(input, init),
    options: ApiClientOptions = {},
  ) {
    this.baseUrl = options.baseUrl ?? '';
    this.onUnauthorized = options.onUnauthorized;
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.json<T>('GET', withQuery(path, query));
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.json<T>('POST', path, body);
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.json<T>('PATCH', path, body);
  }

  delete<T = undefined>(path: string): Promise<T> {
    return this.json<T>('DELETE', path);
  }

  /** GETs a file (e.g. an invoice as CSV) as a blob, with the name the server gave it. */
  async download(path: string, accept = 'text/csv'): Promise<Download> {
    const response = await this.send('GET', path, undefined, accept);
    const fileName = fileNameFromContentDisposition(response.headers.get('content-disposition'));
    return { blob: await response.blob(), fileName };
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.send(method, path, body, 'application/json');
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  private async send(method: string, path: string, body: unknown, accept: string): Promise<Response> {
    const headers: Record<string, string> = { accept, authorization: `Bearer ${this.key}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await this.fetchFn(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new ApiProblem(0, { title: 'Network error', detail: `Cannot reach the API: ${error instanceof Error ? error.message : String(error)}` });
    }
    if (response.ok) return response;
    if (response.status === 401) this.onUnauthorized?.();
    throw new ApiProblem(response.status, await readProblem(response));
  }
}

async function readProblem(response: Response): Promise<ProblemDetails> {
  const text = await response.text().catch(() => '');
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null) return parsed as ProblemDetails;
  } catch {
    // not JSON: a proxy's page, say; the status line is all there is to show
  }
  return { title: response.statusText, detail: `The API answered ${response.status}${response.statusText === '' ? '' : ` ${response.statusText}`}` };
}

export function withQuery(path: string, query?: Query): string {
  if (query === undefined) return path;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
  }
  const search = params.toString();
  return search === '' ? path : `${path}?${search}`;
}

/** `attachment; filename="x.csv"` or RFC 5987 `filename*=UTF-8''x.csv` → `x.csv`. */
export function fileNameFromContentDisposition(header: string | null): string | null {
  if (header === null) return null;
  const extended = /filename\*\s*=\s*(?:[\w-]+)?'[^']*'([^;]+)/i.exec(header);
  if (extended?.[1] !== undefined) {
    try {
      return decodeURIComponent(extended[1].trim());
    } catch {
      // a broken encoding: fall back to the plain name
    }
  }
  const plain = /filename\s*=\s*(?:"([^"]*)"|([^;]+))/i.exec(header);
  const name = plain?.[1] ?? plain?.[2]?.trim();
  return name === undefined || name === '' ? null : name;
}
