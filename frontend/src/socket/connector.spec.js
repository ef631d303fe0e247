import { flushPromises } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import * as desk from '../api/desk.js';
import { useBusinessStore } from '../stores/business.js';
import { useConnectionStore } from '../stores/connection.js';
import { useConversationsStore } from '../stores/conversations.js';
import { useMessagesStore } from '../stores/messages.js';
import { useSessionStore } from '../stores/session.js';
import { useTeamStore } from '../stores/team.js';
import { conversation, message } from '../test/fixtures.js';
import { fakeSocket } from '../test/fakeSocket.js';
import { SOCKET_OPTIONS, createConnector } from './connector.js';

vi.mock('../api/desk.js');

function connected() {
  const socket = fakeSocket();
  const factory = vi.fn(() => socket);
  const connector = createConnector(factory);
  desk.listConversations.mockResolvedValue({ conversations: [] });
  desk.listMessages.mockResolvedValue({ messages: [] });
  desk.markRead.mockResolvedValue({});
  desk.listBusinessConnections.mockResolvedValue({ connections: [] });
  connector.connect();
  return { connector, socket, factory };
}

async function openChat(chatId, messages = []) {
  desk.listMessages.mockResolvedValueOnce({ messages });
  useConversationsStore().upsert(conversation(chatId));
  useConversationsStore().open(chatId);
  await flushPromises();
  desk.markRead.mockClear();
}

describe('socket connector', () => {
  it('connects on the same origin over websocket with the session cookie', () => {
    const { factory, socket } = connected();
    expect(factory).toHaveBeenCalledWith(SOCKET_OPTIONS);
    expect(SOCKET_OPTIONS).toEqual({ path: '/socket.io', transports: ['websocket'], withCredentials: true });
    expect(socket.events()).toEqual(['connect', 'disconnect', 'connect_error', 'message', 'conversation', 'delivery', 'presence', 'session_ended', 'business_connection']);
    expect(useConnectionStore().state).toBe('connecting');
  });

  it('connects once however often it is asked', () => {
    const { connector, factory } = connected();
    connector.connect();
    expect(factory).toHaveBeenCalledOnce();
  });

  it('tracks the connection state', () => {
    const { socket } = connected();
    const connection = useConnectionStore();
    socket.fire('connect');
    expect(connection.state).toBe('connected');
    socket.fire('disconnect', 'transport close');
    expect(connection.state).toBe('disconnected');
    socket.fireManager('reconnect_attempt', 1);
    expect(connection.state).toBe('connecting');
  });

  it('refetches what it may have missed on every (re)connect', async () => {
    const { socket } = connected();
    await openChat(3, [message('a', { chat_id: 3, date: 1 })]);
    desk.listConversations.mockClear();
    desk.listMessages.mockClear();

    socket.fire('disconnect', 'transport close');
    desk.listConversations.mockResolvedValueOnce({
      conversations: [conversation(3, { updated_at: 200 }), conversation(4, { updated_at: 150 })],
    });
    desk.listMessages.mockResolvedValueOnce({
      messages: [message('a', { chat_id: 3, date: 1 }), message('b', { chat_id: 3, date: 2 })],
    });
    await socket.fire('connect');
    await flushPromises();

    expect(desk.listConversations).toHaveBeenCalledOnce();
    expect(desk.listMessages).toHaveBeenCalledWith(3);
    expect(useConversationsStore().sorted.map((c) => c.chat_id)).toEqual([3, 4]);
    expect(useMessagesStore().forChat(3).map((m) => m.id)).toEqual(['a', 'b']);
  });

  it('reads the business connections again on every (re)connect', async () => {
    const { socket } = connected();
    desk.listBusinessConnections.mockResolvedValueOnce({ connections: [{ id: 'conn-1', is_enabled: true, rights: {} }] });
    await socket.fire('connect');
    await flushPromises();
    expect(useBusinessStore().connectionOf('conn-1').is_enabled).toBe(true);
  });

  it('keeps a business connection\'s new state from its event', () => {
    const { socket } = connected();
    socket.fire('business_connection', { id: 'conn-1', user: { id: 7, first_name: 'Acme' }, is_enabled: false, rights: {} });
    expect(useBusinessStore().connectionOf('conn-1').is_enabled).toBe(false);
  });

  it('appends a message to the open conversation once, and reads it', async () => {
    const { socket } = connected();
    await openChat(3);
    socket.fire('message', message('m1', { chat_id: 3 }));
    socket.fire('message', message('m1', { chat_id: 3 }));
    expect(useMessagesStore().forChat(3).map((m) => m.id)).toEqual(['m1']);
    expect(desk.markRead).toHaveBeenCalledWith(3);
  });

  it('leaves a message of the open conversation unread while the tab is hidden', async () => {
    const { socket } = connected();
    await openChat(3);
    vi.spyOn(document, 'hidden', 'get').mockReturnValue(true); // restored after each spec (restoreMocks)
    socket.fire('message', message('m1', { chat_id: 3 }));
    expect(useMessagesStore().forChat(3).map((m) => m.id)).toEqual(['m1']);
    expect(desk.markRead).not.toHaveBeenCalled();
  });

  it('does not read messages of other conversations, nor our own echoes', async () => {
    const { socket } = connected();
    await openChat(3);
    socket.fire('message', message('m2', { chat_id: 4 }));
    socket.fire('message', message('agent-x', { chat_id: 3, type: 'AGENT', direction: 'out' }));
    expect(desk.markRead).not.toHaveBeenCalled();
  });

  it('puts conversation events into the sorted list', () => {
    const { socket } = connected();
    socket.fire('conversation', conversation(1, { updated_at: 10 }));
    socket.fire('conversation', conversation(2, { updated_at: 20, unread: 1 }));
    expect(useConversationsStore().sorted.map((c) => c.chat_id)).toEqual([2, 1]);
    expect(useConversationsStore().byId[2].unread).toBe(1);
  });

  it('updates ticks from delivery events', async () => {
    const { socket } = connected();
    await openChat(3, [message('agent-c1', { chat_id: 3, client_id: 'c1', direction: 'out', type: 'AGENT', delivery: { state: 'queued' } })]);
    socket.fire('delivery', { chat_id: 3, client_id: 'c1', message_id: 'agent-c1', state: 'failed', reason: 'blocked' });
    expect(useMessagesStore().forChat(3)[0].delivery).toEqual({ state: 'failed', reason: 'blocked' });
  });

  it('sends the agent to the login form when the server refuses the socket', () => {
    const { socket } = connected();
    const session = useSessionStore();
    session.status = 'authenticated';
    socket.fire('connect_error', new Error('xhr poll error')); // network: socket.io retries
    expect(session.isAuthenticated).toBe(true);
    socket.active = false;
    socket.fire('connect_error', new Error('unauthorized'));
    expect(session.isAuthenticated).toBe(false);
    expect(useConnectionStore().state).toBe('disconnected');
  });

  it('tries again once when the server closed the socket', () => {
    const { socket } = connected();
    socket.fire('disconnect', 'io server disconnect');
    expect(socket.connect).toHaveBeenCalledOnce();
    expect(useConnectionStore().state).toBe('connecting');
  });

  it('closes the socket and stops listening on disconnect', () => {
    const { connector, socket } = connected();
    connector.disconnect();
    expect(socket.off).toHaveBeenCalled();
    expect(socket.disconnect).toHaveBeenCalled();
    expect(useConnectionStore().state).toBe('disconnected');
    connector.disconnect();
    expect(socket.disconnect).toHaveBeenCalledOnce();
  });

  it('emits only while connected, so nothing stale is queued for later', () => {
    const { connector, socket } = connected();
    socket.emit = vi.fn();
    socket.connected = false;
    expect(connector.emit('presence', { chat_id: 3, typing: true })).toBe(false);
    socket.connected = true;
    expect(connector.emit('presence', { chat_id: 3, typing: true })).toBe(true);
    expect(socket.emit.mock.calls).toEqual([['presence', { chat_id: 3, typing: true }]]);
  });

  it('keeps who is where from presence events, and forgets it while disconnected', () => {
    const { socket } = connected();
    const bea = { username: 'bea', name: 'Bea', typing: true };
    socket.fire('presence', { chat_id: 3, agents: [bea] });
    expect(useTeamStore().othersIn(3)).toEqual([bea]);
    socket.fire('disconnect', 'transport close');
    expect(useTeamStore().othersIn(3)).toEqual([]);
  });

  it('tells the relay which chat is open on every (re)connect', async () => {
    const { connector, socket } = connected();
    useTeamStore().attach(connector);
    socket.emit = vi.fn();
    socket.connected = true;
    await openChat(3);
    socket.fire('connect');
    await flushPromises();
    expect(socket.emit).toHaveBeenCalledWith('presence', { chat_id: 3, typing: false });
  });

  it('signs a disabled agent out at once, saying why, without trying to reconnect', () => {
    const { socket } = connected();
    const session = useSessionStore();
    session.status = 'authenticated';
    socket.fire('session_ended', { reason: 'disabled' });
    expect(session.isAuthenticated).toBe(false);
    expect(session.endReason).toBe('disabled');
    expect(socket.disconnect).toHaveBeenCalledOnce();
    socket.fire('disconnect', 'io server disconnect'); // handlers are gone: no retry
    expect(socket.connect).not.toHaveBeenCalled();
    expect(useConnectionStore().state).toBe('disconnected');
  });

  it('goes back to the login form when this browser logged out in another tab', () => {
    const { socket } = connected();
    const session = useSessionStore();
    session.status = 'authenticated';
    socket.fire('session_ended', { reason: 'logout' });
    expect(session.status).toBe('anonymous');
    expect(session.endReason).toBe('logout');
    expect(socket.disconnect).toHaveBeenCalledOnce();
  });
});
