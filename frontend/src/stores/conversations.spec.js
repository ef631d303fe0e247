import { flushPromises } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import * as desk from '../api/desk.js';
import { conversation } from '../test/fixtures.js';
import { useConversationsStore } from './conversations.js';

vi.mock('../api/desk.js');

const order = (store) => store.sorted.map((c) => c.chat_id);

describe('conversations store', () => {
  it('keeps the list sorted by updated_at, newest first, new chats on top', () => {
    const store = useConversationsStore();
    store.upsert(conversation(1, { updated_at: 10 }));
    store.upsert(conversation(2, { updated_at: 30.5 }));
    store.upsert(conversation(3, { updated_at: 20 }));
    expect(order(store)).toEqual([2, 3, 1]);
    store.upsert(conversation(1, { updated_at: 40, unread: 2 }));
    expect(order(store)).toEqual([1, 2, 3]);
    store.upsert(conversation(9, { updated_at: 50 }));
    expect(order(store)).toEqual([9, 1, 2, 3]);
    expect(store.byId[1].unread).toBe(2);
  });

  it('ignores a state older than the one it holds', () => {
    const store = useConversationsStore();
    store.upsert(conversation(1, { updated_at: 50, status: 'resolved' }));
    store.upsert(conversation(1, { updated_at: 40, status: 'open' }));
    expect(store.byId[1].status).toBe('resolved');
    store.upsert(conversation(1, { updated_at: 50, status: 'open' }));
    expect(store.byId[1].status).toBe('open');
  });

  it('loads the list and merges it with what arrived meanwhile', async () => {
    const store = useConversationsStore();
    store.upsert(conversation(5, { updated_at: 500 }));
    store.upsert(conversation(1, { updated_at: 300, unread: 4 }));
    desk.listConversations.mockResolvedValue({
      conversations: [conversation(1, { updated_at: 200, unread: 1 }), conversation(2, { updated_at: 100 })],
    });
    await store.fetchAll();
    expect(order(store)).toEqual([5, 1, 2]);
    expect(store.byId[1].unread).toBe(4);
    expect(store.loadError).toBeNull();
  });

  it('keeps a load error for the list to show', async () => {
    desk.listConversations.mockRejectedValue(new Error('down'));
    const store = useConversationsStore();
    await store.fetchAll();
    expect(store.loadError).toBeInstanceOf(Error);
    expect(store.loading).toBe(false);
  });

  it('opens a conversation: loads its messages and marks it read', async () => {
    desk.listMessages.mockResolvedValue({ messages: [] });
    desk.markRead.mockResolvedValue({});
    const store = useConversationsStore();
    store.upsert(conversation(7, { unread: 3 }));
    store.open(7);
    expect(store.active.chat_id).toBe(7);
    expect(store.byId[7].unread).toBe(0);
    expect(desk.listMessages).toHaveBeenCalledWith(7);
    expect(desk.markRead).toHaveBeenCalledWith(7);
  });

  it('reads the open conversation when its unread count rises', async () => {
    desk.listMessages.mockResolvedValue({ messages: [] });
    desk.markRead.mockResolvedValue({});
    const store = useConversationsStore();
    store.upsert(conversation(7));
    store.open(7);
    await flushPromises();
    desk.markRead.mockClear();
    store.upsert(conversation(7, { unread: 1, updated_at: 200 }));
    expect(store.byId[7].unread).toBe(0);
    expect(desk.markRead).toHaveBeenCalledOnce();
    store.upsert(conversation(8, { unread: 1, updated_at: 200 }));
    expect(store.byId[8].unread).toBe(1);
  });

  it('folds reads that overlap into one more call', async () => {
    let finish;
    desk.markRead.mockImplementation(() => new Promise((resolve) => { finish = resolve; }));
    const store = useConversationsStore();
    const first = store.markRead(3);
    store.markRead(3);
    store.markRead(3);
    expect(desk.markRead).toHaveBeenCalledTimes(1);
    finish({});
    await flushPromises();
    expect(desk.markRead).toHaveBeenCalledTimes(2);
    finish({});
    await first;
    expect(desk.markRead).toHaveBeenCalledTimes(2);
  });

  it.each([
    ['assign', { assignee: 'ana' }],
    ['resolve', { status: 'resolved' }],
    ['reopen', { status: 'open' }],
  ])('%s takes the conversation the server answers', async (action, change) => {
    desk[action].mockResolvedValue({ conversation: conversation(4, { updated_at: 300, ...change }) });
    const store = useConversationsStore();
    store.upsert(conversation(4, { status: 'pending' }));
    await store[action](4);
    expect(desk[action]).toHaveBeenCalledWith(4, ...(action === 'assign' ? [undefined] : []));
    expect(store.byId[4]).toMatchObject(change);
    expect(store.busy).toBe(false);
  });

  it('keeps an action error for the header to show', async () => {
    desk.resolve.mockRejectedValue(new Error('no such conversation'));
    const store = useConversationsStore();
    await store.resolve(4);
    expect(store.actionError.message).toBe('no such conversation');
  });

  it('forgets everything on reset', () => {
    const store = useConversationsStore();
    store.upsert(conversation(1));
    store.activeChatId = 1;
    store.reset();
    expect(store.sorted).toEqual([]);
    expect(store.active).toBeNull();
  });
});
