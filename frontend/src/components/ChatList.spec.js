import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as desk from '../api/desk.js';
import { createConnector } from '../socket/connector.js';
import { useConversationsStore } from '../stores/conversations.js';
import { useSessionStore } from '../stores/session.js';
import { fakeSocket } from '../test/fakeSocket.js';
import { conversation, message } from '../test/fixtures.js';
import { NOW, fakeClock, tick } from '../test/lifecycle.js';
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
    expect(['mine', 'unassigned', 'breached', 'open', 'pending', 'resolved', 'all'].map((tab) => count(wrapper, tab)))
      .toEqual(['1', '1', '0', '2', '1', '1', '4']);
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

  describe('the SLA', () => {
    const badgeOf = (wrapper, chatId) => wrapper.find(`[data-chat-id="${chatId}"] [data-testid="sla-badge"]`);
    fakeClock();

    it('counts every chat down on one clock for the whole list', async () => {
      const interval = vi.spyOn(globalThis, 'setInterval');
      const store = useConversationsStore();
      [1, 2, 3].forEach((id) => store.upsert(conv(id, NOW - id, `C${id}`, { sla_due_at: NOW + 60 * id })));
      store.upsert(conv(4, NOW - 4, 'Old')); // from before the lifecycle: no countdown
      const wrapper = mount(ChatList);
      expect([1, 2, 3].map((id) => badgeOf(wrapper, id).text())).toEqual(['SLA in 1:00', 'SLA in 2:00', 'SLA in 3:00']);
      expect(badgeOf(wrapper, 4).exists()).toBe(false);
      expect(interval.mock.calls.filter(([, ms]) => ms === 1000)).toHaveLength(1);
      await tick(1);
      expect([1, 2, 3].map((id) => badgeOf(wrapper, id).text())).toEqual(['SLA in 0:59', 'SLA in 1:59', 'SLA in 2:59']);
      interval.mockRestore();
    });

    it('shows a breach live when the relay\'s conversation event says so, and counts it in Breached', async () => {
      desk.listConversations.mockResolvedValue({ conversations: [] });
      const socket = fakeSocket();
      createConnector(() => socket).connect();
      socket.fire('conversation', conv(7, NOW, 'Gala', { sla_due_at: NOW + 30, sla_breached: false, priority: 'normal' }));
      socket.fire('conversation', conv(8, NOW - 1, 'Hugo'));
      const wrapper = mount(ChatList);
      expect(badgeOf(wrapper, 7).attributes('data-sla')).toBe('due');
      expect(count(wrapper, 'breached')).toBe('0');
      await tick(31);
      expect(badgeOf(wrapper, 7).text()).toBe('SLA due now');
      socket.fire('conversation', conv(7, NOW + 31, 'Gala', { sla_due_at: NOW + 30, sla_breached: true, priority: 'high' }));
      await wrapper.vm.$nextTick();
      expect(badgeOf(wrapper, 7).attributes('data-sla')).toBe('breached');
      expect(badgeOf(wrapper, 7).text()).toBe('SLA breached');
      expect(wrapper.find('[data-chat-id="7"] [data-testid="priority-badge"]').exists()).toBe(true);
      expect(count(wrapper, 'breached')).toBe('1');
      await wrapper.get('[data-tab="breached"]').trigger('click');
      expect(ids(wrapper)).toEqual(['7']);
      // Resolved, it leaves the queue but keeps its badge in the other tabs.
      socket.fire('conversation', conv(7, NOW + 40, 'Gala', { sla_breached: true, priority: 'high', status: 'resolved' }));
      await wrapper.vm.$nextTick();
      expect(count(wrapper, 'breached')).toBe('0');
      expect(wrapper.get('.chat-list__note').text()).toBe('Nothing here');
      await wrapper.get('[data-tab="all"]').trigger('click');
      expect(badgeOf(wrapper, 7).attributes('data-sla')).toBe('breached');
    });
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
