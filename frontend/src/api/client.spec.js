import { afterEach, describe, expect, it, vi } from 'vitest';
import { i18n } from '../i18n/index.js';
import { ApiError, errorText, get, onUnauthorized, post, retryAfterSeconds } from './client.js';

function respond(status, body) {
  const text = body === undefined ? '' : JSON.stringify(body);
  return vi.fn().mockResolvedValue({ ok: status >= 200 && status < 300, status, text: async () => text });
}

afterEach(() => onUnauthorized(null));

describe('api client', () => {
  it('GETs JSON with same-origin credentials', async () => {
    vi.stubGlobal('fetch', respond(200, { agent: { username: 'ana' } }));
    await expect(get('/api/me')).resolves.toEqual({ agent: { username: 'ana' } });
    const [path, init] = fetch.mock.calls[0];
    expect(path).toBe('/api/me');
    expect(init).toMatchObject({ method: 'GET', credentials: 'same-origin' });
    expect(init.body).toBeUndefined();
  });

  it('POSTs a JSON body, an empty object when none is given', async () => {
    vi.stubGlobal('fetch', respond(204));
    await expect(post('/api/logout')).resolves.toBeNull();
    const [, init] = fetch.mock.calls[0];
    expect(init.headers['Content-Type']).toBe('application/json');
    expect(init.body).toBe('{}');
  });

  it('throws an ApiError with the status and the server error text', async () => {
    vi.stubGlobal('fetch', respond(400, { error: 'text is required' }));
    const error = await post('/api/x', { text: '' }).catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(400);
    expect(error.message).toBe('text is required');
  });

  it('tells the unauthorized handler about a 401', async () => {
    const handler = vi.fn();
    onUnauthorized(handler);
    vi.stubGlobal('fetch', respond(401, { error: 'login required' }));
    await expect(get('/api/conversations')).rejects.toMatchObject({ status: 401 });
    expect(handler).toHaveBeenCalledOnce();
  });

  it('turns a network failure into status 0', async () => {
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')));
    await expect(get('/api/me')).rejects.toMatchObject({ status: 0, message: 'Failed to fetch' });
  });

  it('names a lost request with an i18n key, keeping the browser\'s words for logs', async () => {
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')));
    const error = await get('/api/me').catch((e) => e);
    expect(error).toMatchObject({ status: 0, message: 'Failed to fetch', key: 'errors.network' });
  });

  it('names a bare HTTP error with an i18n key and its status, but not one the relay explained', async () => {
    vi.stubGlobal('fetch', respond(502));
    const bare = await get('/api/me').catch((e) => e);
    expect(bare).toMatchObject({ status: 502, message: 'HTTP 502', key: 'errors.http', params: { status: 502 } });
    vi.stubGlobal('fetch', respond(400, { error: 'text is required' }));
    const explained = await post('/api/x').catch((e) => e);
    expect(explained.key).toBeNull();
  });

  it('tells the agent a failure in their language: the key when there is one, else the message', () => {
    const { t } = i18n.global;
    const lost = new ApiError(0, 'Failed to fetch', null, { key: 'errors.network' });
    const bare = new ApiError(503, 'HTTP 503', null, { key: 'errors.http', params: { status: 503 } });
    expect(errorText(lost, t)).toBe('the server could not be reached; check the connection');
    i18n.global.locale.value = 'es';
    expect(errorText(lost, t)).toBe('no se pudo contactar con el servidor; revisa la conexión');
    expect(errorText(bare, t)).toBe('el servidor respondió con el error 503');
    expect(errorText(new ApiError(400, 'text is required'), t)).toBe('text is required');
    expect(errorText(new Error('boom'), t)).toBe('boom');
    expect(errorText(null, t)).toBe('');
  });

  it('reads how long the relay asks to wait (Retry-After) into the error', async () => {
    const text = JSON.stringify({ error: 'too many failed logins: try again in 30 s' });
    const headers = new Headers({ 'Retry-After': '30' });
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue({ ok: false, status: 429, headers, text: async () => text }));
    const error = await post('/api/login', { username: 'ana', password: 'x' }).catch((e) => e);
    expect([error.status, error.retryAfter]).toEqual([429, 30]);
    vi.stubGlobal('fetch', respond(401, { error: 'wrong username or password' }));
    expect((await post('/api/login', {}).catch((e) => e)).retryAfter).toBeNull();
  });

  it('takes Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-12-04T10:00:00Z');
    expect(retryAfterSeconds('7', now)).toBe(7);
    expect(retryAfterSeconds('Fri, 04 Dec 2026 10:00:12 GMT', now)).toBe(12);
    expect(retryAfterSeconds('soon', now)).toBeNull();
    expect(retryAfterSeconds(null, now)).toBeNull();
  });
});
