/**
 * A small fetch wrapper for the relay's JSON API (same origin, session cookie).
 * Non-2xx answers throw an ApiError carrying the HTTP `status`; a 401 also tells the
 * registered handler, so the session store can go back to the login form.
 */

/**
 * A failed request. `message` is for logs: the relay's `error` text, or the browser's (English)
 * words. When the relay gave no reason (a lost request, a bare HTTP error), `key` and `params`
 * name the console's own i18n message for it (`errors.network`, `errors.http`), so the agent
 * reads it in their language: show it with `errorText(error, t)`. `retryAfter` is how many
 * seconds the relay asked to wait before trying again (a 429 or 503's `Retry-After`), or null.
 */
export class ApiError extends Error {
  constructor(status, message, body = null, { key = null, params = {}, retryAfter = null } = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.body = body;
    this.key = key;
    this.params = params;
    this.retryAfter = retryAfter;
  }
}

/** A `Retry-After` header (seconds, or an HTTP date) as whole seconds from `now`; null without one. */
export function retryAfterSeconds(value, now = Date.now()) {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

/** What to tell the agent about a failure: the console's words when it has a `key`, else its message. */
export function errorText(error, t) {
  if (error?.key) return t(error.key, error.params ?? {});
  return error?.message || '';
}

const RETRY_AFTER = 'Retry-After';

let unauthorizedHandler = null;

export function onUnauthorized(handler) {
  unauthorizedHandler = handler;
}

async function readBody(response) {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export async function request(method, path, body) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (body instanceof FormData) {
    init.body = body; // multipart: the browser sets the Content-Type with its boundary
  } else if (method !== 'GET') {
    // Always a JSON body on writes, so the server can parse it whatever it expects.
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body ?? {});
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (cause) {
    throw new ApiError(0, cause?.message || 'network error', null, { key: 'errors.network' });
  }
  const data = await readBody(response);
  if (!response.ok) {
    const reason = typeof data?.error === 'string' && data.error ? data.error : null;
    const own = reason ? {} : { key: 'errors.http', params: { status: response.status } };
    const retryAfter = retryAfterSeconds(response.headers?.get(RETRY_AFTER));
    const error = new ApiError(response.status, reason ?? `HTTP ${response.status}`, data, { ...own, retryAfter });
    if (response.status === 401 && unauthorizedHandler) unauthorizedHandler(error);
    throw error;
  }
  return data;
}

export const get = (path) => request('GET', path);
export const post = (path, body) => request('POST', path, body);
export const put = (path, body) => request('PUT', path, body);
export const del = (path) => request('DELETE', path);
