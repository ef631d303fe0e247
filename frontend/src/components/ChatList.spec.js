import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as desk from '../api/desk.js';
import { useConversationsStore } from '../stores/conversations.js';
import { useSessionStore } from '../stores/session.js';
import { conversation, message } from '../test/fixtures.js';
import ChatList from './ChatList.vue';

vi.mock('../api/desk.js');
enableAutoUnmount(afterEach);

const conv = (chatId, updatedAt, name, extra = {}) => conversation(chatId, {
  customer: { id: chatId, first_name: name }, updated_at: updatedAt, ...extra,
});

const ids = (wrapper) => wrapper.findAll('[data-testid="conversation-item"]').map((w) => w.attributes('data-chat-id'));
const count = (wrapper, tab) => wrapper.get(`[data-tab="${tab}"] [data-testid="chat-tab-count"]`).text();
const press = (key, modifiers) => window.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...modifiers }));

function opening() {
  desk.listMessages.mockResolvedValue({ messages: [] });
  desk.markRead.mockResolvedValue({});
}

describe('ChatList', () => {
  it('lists conversations newest first and moves one up when it changes', async () => {
    const store = useConversationsStore();
    [conv(1, 100, 'Ana'), conv(2, 300, 'Bea'), conv(3, 200, 'Carla')].forEach(store.upsert);
    const wrapper = mount(ChatList);
    expect(ids(wrapper)).toEqual(['2', '3', '1']);
    store.upsert(conv(1, 400, 'Ana'));
    store.upsert(conv(4, 350, 'Dora'));
    await wrapper.vm.$nextTick();
    expect(ids(wrapper)).toEqual(['1', '4', '2', '3']);
  });

  it('opens a conversation on click and marks it active', async () => {
    opening();
    const store = useConversationsStore();
    store.upsert(conv(5, 1, 'Eva'));
    const wrapper = mount(ChatList);
    await wrapper.get('[data-chat-id="5"]').trigger('click');
    expect(store.activeChatId).toBe(5);
    expect(wrapper.get('[data-chat-id="5"]').attributes('aria-current')).toBe('true');
  });

  it('says when there is nothing yet', () => {
    expect(mount(ChatList).get('.chat-list__note').text()).toBe('No conversations yet');
  });

  it('narrows the list by tab, with a count on each tab', async () => {
    useSessionStore().agent = { username: 'bea', name: 'Bea' };
    const store = useConversationsStore();
    [
      conv(1, 100, 'Ana', { assignee: 'bea' }),
      conv(2, 200, 'Bruno', { status: 'pending' }),
      conv(3, 300, 'Carla', { status: 'resolved', assignee: 'bea' }),
      conv(4, 400, 'Dani', { assignee: 'cris' }),
    ].forEach(store.upsert);
    const wrapper = mount(ChatList);
    expect(wrapper.get('[data-tab="all"]').attributes('aria-selected')).toBe('true');
    expect(['mine', 'unassigned', 'open', 'pending', 'resolved', 'all'].map((tab) => count(wrapper, tab)))
      .toEqual(['1', '1', '2', '1', '1', '4']);
    await wrapper.get('[data-tab="mine"]').trigger('click');
    expect(ids(wrapper)).toEqual(['1']);
    await wrapper.get('[data-tab="open"]').trigger('click');
    expect(ids(wrapper)).toEqual(['4', '1']);
    await wrapper.get('[data-tab="resolved"]').trigger('click');
    expect(ids(wrapper)).toEqual(['3']);
    expect(wrapper.get('[data-tab="resolved"]').attributes('aria-selected')).toBe('true');
    store.upsert(conv(3, 500, 'Carla', { status: 'open', assignee: 'bea' }));
    await wrapper.vm.$nextTick();
    expect(wrapper.get('.chat-list__note').text()).toBe('Nothing here');
    expect(count(wrapper, 'mine')).toBe('2');
  });

  it('filters as the agent types, then lists the message hits of the relay search', async () => {
    vi.useFakeTimers();
    try {
      const store = useConversationsStore();
      [conv(1, 100, 'Ana'), conv(2, 200, 'Bruno', { customer: { id: 2, first_name: 'Bruno', username: 'anabel' } }),
        conv(3, 300, 'Carla')].forEach(store.upsert);
      desk.search.mockResolvedValue({ conversations: [], messages: [message('m1', { chat_id: 3, text: 'ana dijo hola' })] });
      const wrapper = mount(ChatList);
      await wrapper.get('[data-testid="chat-search"]').setValue('ana');
      expect(ids(wrapper)).toEqual(['2', '1']);
      expect(desk.search).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(250);
      await flushPromises();
      expect(desk.search).toHaveBeenCalledWith('ana');
      const hits = wrapper.findAll('[data-testid="search-message-hit"]');
      expect(hits.map((hit) => hit.attributes('data-chat-id'))).toEqual(['3']);
      await wrapper.get('[data-testid="chat-search"]').setValue('zzz');
      expect(wrapper.get('.chat-list__note').text()).toBe('No chats match “zzz”');
    } finally {
      vi.useRealTimers();
    }
  });

  it('Ctrl+K focuses the search box; Alt+Down and Alt+Up walk the visible list', async () => {
    opening();
    const store = useConversationsStore();
    [conv(1, 100, 'Ana'), conv(2, 200, 'Bea', { status: 'resolved' }), conv(3, 300, 'Carla')].forEach(store.upsert);
    store.setTab('open');
    const wrapper = mount(ChatList, { attachTo: document.body });
    press('k', { ctrlKey: true });
    expect(document.activeElement).toBe(wrapper.get('[data-testid="chat-search"]').element);
    press('ArrowDown', { altKey: true });
    expect(store.activeChatId).toBe(3);
    press('ArrowDown', { altKey: true });
    expect(store.activeChatId).toBe(1);
    press('ArrowUp', { altKey: true });
    expect(store.activeChatId).toBe(3);
  });

  it('keeps the tab title counting the unread messages', async () => {
    const store = useConversationsStore();
    store.upsert(conv(1, 100, 'Ana', { unread: 2 }));
    const wrapper = mount(ChatList);
    expect(document.title).toBe('(2) teledesk');
    wrapper.unmount();
    expect(document.title).toBe('teledesk');
  });
});
