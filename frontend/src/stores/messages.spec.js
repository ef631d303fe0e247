import { flushPromises } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client.js';
import * as desk from '../api/desk.js';
import { message } from '../test/fixtures.js';
import { CLIENT_ID_PATTERN } from '../utils/clientId.js';
import { useMessagesStore } from './messages.js';
import { useSessionStore } from './session.js';

vi.mock('../api/desk.js');

const ids = (store, chatId = 1) => store.forChat(chatId).map((m) => m.id);

async function loaded(messages = []) {
  desk.listMessages.mockResolvedValueOnce({ messages });
  const store = useMessagesStore();
  await store.fetch(1);
  return store;
}

/** The server's echo of an agent answer, as in the 202 and the `message` event. */
const stored = (clientId, overrides = {}) => message(`agent-${clientId}`, {
  type: 'AGENT', direction: 'out', client_id: clientId, text: 'Hi', date: 200,
  agent: { username: 'ana', name: 'Ana' }, delivery: { state: 'queued' }, ...overrides,
});

describe('messages store: history and socket', () => {
  it('loads a conversation oldest first', async () => {
    const store = await loaded([message('a', { date: 1 }), message('b', { date: 2 })]);
    expect(ids(store)).toEqual(['a', 'b']);
    expect(store.isLoading(1)).toBe(false);
  });

  it('appends socket messages once, however often they come', async () => {
    const store = await loaded([message('a', { date: 1 })]);
    store.receive(message('b', { date: 2 }));
    store.receive(message('b', { date: 2 }));
    store.receive(message('a', { date: 1 }));
    expect(ids(store)).toEqual(['a', 'b']);
  });

  it('puts a late message in date order', async () => {
    const store = await loaded([message('a', { date: 1 }), message('c', { date: 3 })]);
    store.receive(message('b', { date: 2 }));
    expect(ids(store)).toEqual(['a', 'b', 'c']);
  });

  it('ignores socket messages of conversations it has not loaded', () => {
    const store = useMessagesStore();
    store.receive(message('x', { chat_id: 9 }));
    expect(store.forChat(9)).toEqual([]);
  });

  it('merges a refetch with what it holds, without duplicates', async () => {
    const store = await loaded([message('a', { date: 1 }), message('b', { date: 2 })]);
    store.receive(message('d', { date: 4 }));
    desk.listMessages.mockResolvedValueOnce({
      messages: [message('b', { date: 2 }), message('c', { date: 3 }), message('d', { date: 4 })],
    });
    await store.fetch(1);
    expect(ids(store)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('keeps a load error', async () => {
    desk.listMessages.mockRejectedValueOnce(new ApiError(404, 'no such conversation'));
    const store = useMessagesStore();
    await store.fetch(1);
    expect(store.errorFor(1).status).toBe(404);
  });
});

describe('messages store: sending', () => {
  it('shows the answer at once as queued, then takes the stored message', async () => {
    useSessionStore().agent = { username: 'ana', name: 'Ana' };
    let answer;
    desk.sendMessage.mockImplementation(() => new Promise((resolve) => { answer = resolve; }));
    const store = await loaded([message('a', { date: 1 })]);

    const sending = store.send(1, 'Hi');
    const [, optimistic] = store.forChat(1);
    expect(optimistic).toMatchObject({ id: null, type: 'AGENT', direction: 'out', text: 'Hi', delivery: { state: 'queued' } });
    expect(optimistic.client_id).toMatch(CLIENT_ID_PATTERN);
    expect(optimistic.agent).toEqual({ username: 'ana', name: 'Ana' });
    expect(desk.sendMessage).toHaveBeenCalledWith(1, 'Hi', optimistic.client_id);

    answer({ message: stored(optimistic.client_id) });
    await sending;
    expect(ids(store)).toEqual(['a', `agent-${optimistic.client_id}`]);
    expect(store.forChat(1)[1].delivery.state).toBe('queued');
  });

  it('updates the tick from delivery events, matched by client_id', async () => {
    const store = await loaded();
    desk.sendMessage.mockImplementation(async (_chat, _text, clientId) => ({ message: stored(clientId) }));
    const clientId = await store.send(1, 'Hi');
    store.applyDelivery({ chat_id: 1, client_id: clientId, message_id: `agent-${clientId}`, state: 'sent', reason: null });
    expect(store.forChat(1)[0].delivery).toEqual({ state: 'sent' });
  });

  it('never goes back to queued once sent, whatever order things arrive in', async () => {
    const store = await loaded();
    let answer;
    desk.sendMessage.mockImplementation(() => new Promise((resolve) => { answer = resolve; }));
    const sending = store.send(1, 'Hi');
    const clientId = store.forChat(1)[0].client_id;
    // deliver was quicker than the 202, and the socket echo comes last
    store.applyDelivery({ chat_id: 1, client_id: clientId, message_id: `agent-${clientId}`, state: 'sent' });
    expect(store.forChat(1)[0].id).toBe(`agent-${clientId}`);
    answer({ message: stored(clientId) });
    await sending;
    store.receive(stored(clientId));
    expect(store.forChat(1)).toHaveLength(1);
    expect(store.forChat(1)[0].delivery.state).toBe('sent');
  });

  it('shows a failure and its reason', async () => {
    const store = await loaded();
    desk.sendMessage.mockImplementation(async (_chat, _text, clientId) => ({ message: stored(clientId) }));
    const clientId = await store.send(1, 'Hi');
    store.applyDelivery({ chat_id: 1, client_id: clientId, message_id: `agent-${clientId}`, state: 'failed', reason: 'bot was blocked by the user' });
    expect(store.forChat(1)[0].delivery).toEqual({ state: 'failed', reason: 'bot was blocked by the user' });
  });

  it('marks the bubble failed when the relay refuses it', async () => {
    const store = await loaded();
    desk.sendMessage.mockRejectedValue(new ApiError(400, 'text is longer than 4096 characters'));
    await store.send(1, 'x'.repeat(5000));
    expect(store.forChat(1)[0].delivery).toEqual({ state: 'failed', reason: 'text is longer than 4096 characters' });
  });

  it('keeps a delivery that comes before its message, for when it does', async () => {
    const store = await loaded();
    store.applyDelivery({ chat_id: 1, client_id: 'other-agent-1', message_id: 'agent-other-agent-1', state: 'sent' });
    store.receive(stored('other-agent-1'));
    expect(store.forChat(1)[0].delivery.state).toBe('sent');
  });

  it('keeps an unacknowledged answer through a refetch', async () => {
    const store = await loaded([message('a', { date: 1 })]);
    desk.sendMessage.mockImplementation(() => new Promise(() => {}));
    store.send(1, 'still going');
    desk.listMessages.mockResolvedValueOnce({ messages: [message('a', { date: 1 }), message('b', { date: 2 })] });
    await store.fetch(1);
    await flushPromises();
    expect(store.forChat(1).map((m) => m.text)).toEqual(['text of a', 'text of b', 'still going']);
  });
});

describe('messages store: while loading', () => {
  it('keeps a socket message that arrives before the history does', async () => {
    let answer;
    desk.listMessages.mockImplementation(() => new Promise((resolve) => { answer = resolve; }));
    const store = useMessagesStore();
    const loading = store.fetch(1);
    expect(store.isLoading(1)).toBe(true);
    store.receive(message('new', { date: 5 }));
    answer({ messages: [message('old', { date: 1 })] });
    await loading;
    expect(ids(store)).toEqual(['old', 'new']);
  });
});
