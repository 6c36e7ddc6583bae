// fetch() against the console's API on the page's own origin.
import type { RawApiError } from './raw';

export const API_BASE = '/api/v1';

/** A non-2xx answer: the contract's {"error": {code, field?, message}}. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;

  constructor(status: number, code: string, message: string, field?: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

function isRawApiError(body: unknown): body is RawApiError {
  if (typeof body !== 'object' || body === null || !('error' in body)) return false;
  const error: unknown = body.error;
  return typeof error === 'object' && error !== null && 'code' in error && 'message' in error;
}

async function errorOf(res: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    // not JSON: fall through to the status line
  }
  if (isRawApiError(body)) {
    return new ApiError(res.status, body.error.code, body.error.message, body.error.field);
  }
  return new ApiError(res.status, `HTTP_${res.status}`, `${res.status} ${res.statusText}`.trim());
}

/**
 * JSON from API_BASE + path. `cache: 'no-cache'` makes the browser revalidate
 * every time, sending the list's ETag as If-None-Match; a 304 reaches this
 * code as the cached 200 body.
 */
export async function apiJson<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  headers.set('Accept', 'application/json');
  if (init.body !== undefined) headers.set('Content-Type', 'application/json');
  const res = await fetch(`${API_BASE}${path}`, { cache: 'no-cache', ...init, headers });
  if (!res.ok) throw await errorOf(res);
  return (await res.json()) as T;
}

export const enc = encodeURIComponent;
