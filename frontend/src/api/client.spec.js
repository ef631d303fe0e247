import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, get, onUnauthorized, post } from './client.js';

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
});
