import { flushPromises } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { nextTick } from 'vue';
import * as desk from '../api/desk.js';
import { conversation, message } from '../test/fixtures.js';
import { SEARCH_DELAY_MS, matches, useConversationsStore } from './conversations.js';
import { useSessionStore } from './session.js';

vi.mock('../api/desk.js');

const order = (store) => store.sorted.map((c) => c.chat_id);

/** A list holding chat `id`, opened and read: what a new message for it then does. */
async function withChatOpen(id) {
  desk.listMessages.mockResolvedValue({ messages: [] });
  desk.markRead.mockResolvedValue({});
  const store = useConversationsStore();
  store.upsert(conversation(id));
  store.open(id);
  await flushPromises();
  desk.markRead.mockClear();
  return store;
}

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

  it('opens a chat the list does not hold (a search hit among older ones) with what the read answers', async () => {
    desk.listMessages.mockResolvedValue({ messages: [] });
    desk.markRead.mockResolvedValue({ conversation: conversation(900, { unread: 0, updated_at: 5 }) });
    const store = useConversationsStore();
    store.open(900);
    expect(store.active).toBeNull();
    await flushPromises();
    expect(store.active.chat_id).toBe(900);
  });

  it('reads the open conversation when its unread count rises', async () => {
    const store = await withChatOpen(7);
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
    ['assign', 'assign', { assignee: 'ana' }],
    ['pending', 'pending', { status: 'pending' }],
    ['resolve', 'resolve', { status: 'resolved' }],
    ['reopen', 'reopen', { status: 'open' }],
    ['start', 'startConversation', { status: 'open', conversation_number: 2, assignee: 'ana' }],
  ])('%s takes the conversation the server answers', async (action, call, change) => {
    desk[call].mockResolvedValue({ conversation: conversation(4, { updated_at: 300, ...change }) });
    const store = useConversationsStore();
    store.upsert(conversation(4, { status: 'resolved' }));
    await store[action](4);
    expect(desk[call]).toHaveBeenCalledWith(4, ...(action === 'assign' ? [undefined] : []));
    expect(store.byId[4]).toMatchObject(change);
    expect(store.busy).toBe(false);
  });

  it('keeps an action error for the header to show', async () => {
    desk.resolve.mockRejectedValue(new Error('no such conversation'));
    const store = useConversationsStore();
    store.activeChatId = 4;
    await store.resolve(4);
    expect(store.actionError.message).toBe('no such conversation');
  });

  it('shows an action error only on the chat it happened to', async () => {
    let refuse;
    desk.resolve.mockImplementation(() => new Promise((_resolve, reject) => { refuse = reject; }));
    const store = useConversationsStore();
    store.activeChatId = 4;
    const resolving = store.resolve(4);
    store.activeChatId = 5; // the agent moved on before the answer came
    refuse(new Error('no such conversation'));
    await resolving;
    expect(store.actionError).toBeNull();
    expect(store.actionErrorFor(5)).toBeNull();
    expect(store.actionErrorFor(4).message).toBe('no such conversation');
    store.activeChatId = 4;
    expect(store.actionError.message).toBe('no such conversation');
  });

  it('drops the list and action answers that arrive after reset', async () => {
    let list;
    let resolved;
    let refused;
    desk.listConversations.mockImplementationOnce(() => new Promise((resolve) => { list = resolve; }));
    desk.resolve.mockImplementationOnce(() => new Promise((resolve) => { resolved = resolve; }));
    desk.reopen.mockImplementationOnce(() => new Promise((_resolve, reject) => { refused = reject; }));
    const store = useConversationsStore();
    store.activeChatId = 2;
    const pending = [store.fetchAll(), store.resolve(1), store.reopen(2)];
    store.reset();
    list({ conversations: [conversation(1), conversation(2)] });
    resolved({ conversation: conversation(1, { status: 'resolved' }) });
    refused(new Error('down'));
    await Promise.all(pending);
    expect(store.sorted).toEqual([]);
    expect(store.loading).toBe(false);
    expect(store.busy).toBe(false);
    expect(store.actionErrorFor(2)).toBeNull();
  });

  describe('while the tab is hidden', () => {
    it('leaves the open conversation unread, and reads it when asked once visible', async () => {
      const store = await withChatOpen(7);
      const hidden = vi.spyOn(document, 'hidden', 'get').mockReturnValue(true);
      store.upsert(conversation(7, { unread: 2, updated_at: 200 }));
      expect(store.byId[7].unread).toBe(2);
      expect(store.readIfSeen()).toBe(false);
      expect(desk.markRead).not.toHaveBeenCalled();
      hidden.mockReturnValue(false);
      expect(store.readIfSeen()).toBe(true);
      expect(store.byId[7].unread).toBe(0);
      expect(desk.markRead).toHaveBeenCalledExactlyOnceWith(7);
      expect(store.readIfSeen(8)).toBe(false); // not the open chat
    });
  });

  it('forgets everything on reset', () => {
    const store = useConversationsStore();
    store.upsert(conversation(1));
    store.activeChatId = 1;
    store.reset();
    expect(store.sorted).toEqual([]);
    expect(store.active).toBeNull();
  });

  it('shows All first and remembers the tab the agent picks', async () => {
    const store = useConversationsStore();
    expect(store.tab).toBe('all');
    store.setTab('pending');
    store.setTab('nonsense');
    expect(store.tab).toBe('pending');
    await nextTick();
    expect(localStorage.getItem('teledesk.chatTab')).toBe('pending');
    setActivePinia(createPinia());
    expect(useConversationsStore().tab).toBe('pending');
  });

  it('narrows the visible list by tab, counting every tab, newest first', () => {
    useSessionStore().agent = { username: 'bea' };
    const store = useConversationsStore();
    [
      conversation(1, { updated_at: 10, assignee: 'bea' }),
      conversation(2, { updated_at: 20, assignee: 'bea', status: 'resolved' }),
      conversation(3, { updated_at: 30, status: 'pending' }),
      conversation(4, { updated_at: 40, assignee: 'cris', status: 'pending' }),
      conversation(5, { updated_at: 50, status: 'resolved' }),
    ].forEach(store.upsert);
    const shown = (tab) => {
      store.setTab(tab);
      return store.visible.map((c) => c.chat_id);
    };
    expect(shown('mine')).toEqual([1]);
    expect(shown('unassigned')).toEqual([3]);
    expect(shown('open')).toEqual([1]);
    expect(shown('pending')).toEqual([4, 3]);
    expect(shown('resolved')).toEqual([5, 2]);
    expect(shown('all')).toEqual([5, 4, 3, 2, 1]);
    expect(store.counts).toEqual({ mine: 1, unassigned: 1, breached: 0, open: 1, pending: 2, resolved: 2, all: 5 });
    useSessionStore().agent = null;
    expect(store.counts.mine).toBe(0);
  });

  it('lists in Breached the conversations whose SLA passed unanswered, until they are resolved', () => {
    const store = useConversationsStore();
    [
      conversation(1, { updated_at: 10, sla_breached: true, priority: 'high' }),
      conversation(2, { updated_at: 20, sla_breached: true, status: 'pending', assignee: 'bea' }),
      conversation(3, { updated_at: 30, sla_breached: true, status: 'resolved' }),
      conversation(4, { updated_at: 40, sla_breached: false, sla_due_at: 10 }),
      conversation(5, { updated_at: 50, sla_breached: 'true' }), // only the relay's true counts
      conversation(6, { updated_at: 60 }), // from before the lifecycle: no SLA fields at all
    ].forEach(store.upsert);
    store.setTab('breached');
    expect(store.tab).toBe('breached');
    expect(store.visible.map((c) => c.chat_id)).toEqual([2, 1]);
    expect(store.counts.breached).toBe(2);
    store.upsert(conversation(4, { updated_at: 70, sla_breached: true, priority: 'high' }));
    expect(store.visible.map((c) => c.chat_id)).toEqual([4, 2, 1]);
    store.upsert(conversation(1, { updated_at: 80, sla_breached: true, status: 'resolved' }));
    expect(store.visible.map((c) => c.chat_id)).toEqual([4, 2]);
    expect(store.counts.breached).toBe(2);
  });

  it('matches name, @username and the last text, without case or accents', () => {
    const ana = conversation(1, {
      customer: { id: 1, first_name: 'Ána', last_name: 'García', username: 'ana_g' },
      last_message: { text: 'Mi pedido no llegó', type: 'CLIENT', direction: 'in', date: 1 },
    });
    expect(['garcia', 'ANA G', '@ana_', 'LLEGO', '  pedido '].every((q) => matches(ana, q))).toBe(true);
    expect(matches(ana, 'bruno')).toBe(false);
    const note = { ...ana, last_message: { text: 'secret', direction: 'note', type: 'AGENT', date: 1 } };
    expect(matches(note, 'secret')).toBe(false);
  });

  it('matches by the relay\'s search rule: an accent typed finds only that accent', () => {
    const garcia = (lastName) => conversation(1, { customer: { id: 1, first_name: 'Ana', last_name: lastName } });
    expect(matches(garcia('García'), 'garcí')).toBe(true);
    expect(matches(garcia('Garcia'), 'garcí')).toBe(false);
    expect(matches(garcia('Garcia'), 'garcia')).toBe(true);
  });

  it('filters by the query at once and adds the total unread', () => {
    const store = useConversationsStore();
    store.upsert(conversation(1, { customer: { id: 1, first_name: 'Ana' }, unread: 2 }));
    store.upsert(conversation(2, { customer: { id: 2, first_name: 'Bruno' }, unread: 3 }));
    store.search('bru');
    expect(store.visible.map((c) => c.chat_id)).toEqual([2]);
    expect(store.totalUnread).toBe(5);
  });

  describe('message search', () => {
    afterEach(() => vi.useRealTimers());

    it('asks the relay once typing pauses, for 2 to 100 characters', async () => {
      vi.useFakeTimers();
      const hit = message('m1', { chat_id: 9 });
      desk.search.mockResolvedValue({ conversations: [conversation(9, { updated_at: 500 })], messages: [hit] });
      const store = useConversationsStore();
      store.search('h');
      store.search('ho');
      store.search('hol');
      expect(store.searching).toBe(true);
      await vi.advanceTimersByTimeAsync(SEARCH_DELAY_MS - 1);
      expect(desk.search).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(1);
      expect(desk.search).toHaveBeenCalledExactlyOnceWith('hol');
      expect(store.messageHits).toEqual([hit]);
      expect(store.byId[9]).toBeDefined();
      expect(store.searching).toBe(false);

      store.search('h');
      expect(store.messageHits).toEqual([]);
      store.search('x'.repeat(101));
      await vi.advanceTimersByTimeAsync(SEARCH_DELAY_MS);
      expect(desk.search).toHaveBeenCalledOnce();
    });

    it('keeps only the newest answer when an older one comes late', async () => {
      vi.useFakeTimers();
      let answerFirst;
      desk.search
        .mockImplementationOnce(() => new Promise((resolve) => { answerFirst = resolve; }))
        .mockResolvedValueOnce({ conversations: [], messages: [message('new')] });
      const store = useConversationsStore();
      store.search('old');
      await vi.advanceTimersByTimeAsync(SEARCH_DELAY_MS);
      store.search('new');
      await vi.advanceTimersByTimeAsync(SEARCH_DELAY_MS);
      answerFirst({ conversations: [], messages: [message('old')] });
      await flushPromises();
      expect(store.messageHits.map((m) => m.id)).toEqual(['new']);
    });

    it('keeps a search error, and forgets the search on reset', async () => {
      vi.useFakeTimers();
      desk.search.mockRejectedValue(new Error('down'));
      const store = useConversationsStore();
      store.search('hola');
      await vi.advanceTimersByTimeAsync(SEARCH_DELAY_MS);
      expect(store.searchError.message).toBe('down');
      expect(store.searching).toBe(false);
      store.search('hola!');
      store.reset();
      await vi.advanceTimersByTimeAsync(SEARCH_DELAY_MS);
      expect(desk.search).toHaveBeenCalledOnce();
      expect([store.query, store.messageHits, store.searchError]).toEqual(['', [], null]);
    });
  });
});
