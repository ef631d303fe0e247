import { mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import * as desk from '../api/desk.js';
import { useConversationsStore } from '../stores/conversations.js';
import ChatList from './ChatList.vue';

vi.mock('../api/desk.js');

const conv = (chatId, updatedAt, name) => ({
  chat_id: chatId,
  customer: { id: chatId, first_name: name },
  status: 'open',
  assignee: null,
  unread: 0,
  last_message: null,
  created_at: 0,
  updated_at: updatedAt,
  blocked: false,
});

const ids = (wrapper) => wrapper.findAll('[data-testid="conversation-item"]').map((w) => w.attributes('data-chat-id'));

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
    desk.listMessages.mockResolvedValue({ messages: [] });
    desk.markRead.mockResolvedValue({});
    const store = useConversationsStore();
    store.upsert(conv(5, 1, 'Eva'));
    const wrapper = mount(ChatList);
    await wrapper.get('[data-chat-id="5"]').trigger('click');
    expect(store.activeChatId).toBe(5);
    expect(wrapper.get('[data-chat-id="5"]').attributes('aria-current')).toBe('true');
  });

  it('says when there is nothing yet', () => {
    expect(mount(ChatList).text()).toBe('No conversations yet');
  });
});
