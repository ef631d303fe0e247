import { describe, expect, it, vi } from 'vitest';
import * as desk from './desk.js';

function capture() {
  const fetch = vi.fn().mockResolvedValue({ ok: true, status: 200, text: async () => '{}' });
  vi.stubGlobal('fetch', fetch);
  return () => fetch.mock.calls.map(([path, init]) => [init.method, path, init.body && JSON.parse(init.body)]);
}

describe('desk API endpoints', () => {
  it('speaks the relay contract', async () => {
    const calls = capture();
    await desk.login('ana', 'pw');
    await desk.me();
    await desk.logout();
    await desk.listConversations();
    await desk.listMessages(-100123);
    await desk.sendMessage(5, 'Hola', 'abcdef12-3456');
    await desk.markRead(5);
    await desk.assign(5);
    await desk.assign(5, 'bea');
    await desk.resolve(5);
    await desk.reopen(5);
    expect(calls()).toEqual([
      ['POST', '/api/login', { username: 'ana', password: 'pw' }],
      ['GET', '/api/me', undefined],
      ['POST', '/api/logout', {}],
      ['GET', '/api/conversations', undefined],
      ['GET', '/api/conversations/-100123/messages', undefined],
      ['POST', '/api/conversations/5/messages', { text: 'Hola', client_id: 'abcdef12-3456' }],
      ['POST', '/api/conversations/5/read', {}],
      ['POST', '/api/conversations/5/assign', {}],
      ['POST', '/api/conversations/5/assign', { username: 'bea' }],
      ['POST', '/api/conversations/5/resolve', {}],
      ['POST', '/api/conversations/5/reopen', {}],
    ]);
  });

  it('reads the business connections, and answers in a business chat by its key', async () => {
    const calls = capture();
    await desk.listBusinessConnections();
    await desk.sendMessage(-6755399441055745, 'Hola', 'abcdef12-3456');
    expect(calls()).toEqual([
      ['GET', '/api/business/connections', undefined],
      ['POST', '/api/conversations/-6755399441055745/messages', { text: 'Hola', client_id: 'abcdef12-3456' }],
    ]);
  });

  it('asks for the stats of a window', async () => {
    const calls = capture();
    await desk.stats('7d');
    expect(calls()).toEqual([['GET', '/api/stats?window=7d', undefined]]);
  });
});
