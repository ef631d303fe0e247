import { describe, expect, it, vi } from 'vitest';
import * as desk from '../api/desk.js';
import { useAttentionStore } from '../stores/attention.js';
import { useConversationsStore } from '../stores/conversations.js';
import { conversation, message } from '../test/fixtures.js';
import { fakeSocket } from '../test/fakeSocket.js';
import { createConnector } from './connector.js';

vi.mock('../api/desk.js');

// The socket's `message` events reach the attention store (sound, notification): only a
// customer's messages, with the conversation they belong to.
describe('socket connector → attention', () => {
  it('calls the agent for customer messages only', () => {
    desk.listConversations.mockResolvedValue({ conversations: [] });
    const socket = fakeSocket();
    createConnector(() => socket).connect();
    const attention = useAttentionStore();
    const called = vi.spyOn(attention, 'onCustomerMessage').mockImplementation(() => {});
    const held = conversation(3, { unread: 1 });
    useConversationsStore().upsert(held);

    socket.fire('message', message('c1', { chat_id: 3 }));
    socket.fire('message', message('a1', { chat_id: 3, type: 'AGENT', direction: 'out' }));
    socket.fire('message', message('n1', { chat_id: 3, type: 'AGENT', direction: 'note' }));
    socket.fire('message', message('b1', { chat_id: 3, type: 'BOT', direction: 'out' }));

    expect(called).toHaveBeenCalledOnce();
    expect(called).toHaveBeenCalledWith(expect.objectContaining({ id: 'c1' }), expect.objectContaining({ chat_id: 3 }));
  });
});
