import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import * as desk from '../api/desk.js';
import { useConversationsStore } from '../stores/conversations.js';
import { useMessagesStore } from '../stores/messages.js';
import { conversation, message } from '../test/fixtures.js';
import ConversationView from './ConversationView.vue';

vi.mock('../api/desk.js');

async function openView(messages) {
  desk.listMessages.mockResolvedValue({ messages });
  desk.markRead.mockResolvedValue({});
  const store = useConversationsStore();
  store.upsert(conversation(1, { unread: 2 }));
  store.open(1);
  const wrapper = mount(ConversationView);
  await flushPromises();
  return wrapper;
}

const bubbles = (wrapper) => wrapper.findAll('[data-testid="message-bubble"]');

describe('ConversationView', () => {
  it('shows the open conversation: header, bubbles on both sides, composer', async () => {
    const wrapper = await openView([
      message('in-1', { date: 1, text: 'Hola' }),
      message('agent-1', { date: 2, type: 'AGENT', direction: 'out', text: 'Buenas', delivery: { state: 'sent' } }),
    ]);
    expect(wrapper.get('[data-testid="conversation-title"]').text()).toBe('Customer1');
    expect(bubbles(wrapper).map((b) => b.attributes('data-direction'))).toEqual(['in', 'out']);
    expect(wrapper.find('[data-testid="composer-input"]').exists()).toBe(true);
    expect(desk.markRead).toHaveBeenCalledWith(1);
    expect(useConversationsStore().byId[1].unread).toBe(0);
  });

  it('sends from the composer and shows the bubble queued at once', async () => {
    desk.sendMessage.mockImplementation(() => new Promise(() => {}));
    const wrapper = await openView([]);
    const input = wrapper.get('[data-testid="composer-input"]');
    await input.setValue('On my way');
    await input.trigger('keydown', { key: 'Enter' });
    const [bubble] = bubbles(wrapper);
    expect(bubble.attributes('data-direction')).toBe('out');
    expect(bubble.get('[data-testid="message-text"]').text()).toBe('On my way');
    expect(bubble.get('[data-testid="delivery-state"]').attributes('data-state')).toBe('queued');
    expect(desk.sendMessage).toHaveBeenCalledWith(1, 'On my way', expect.any(String));
  });

  it('appends new messages as they arrive', async () => {
    const wrapper = await openView([message('a', { date: 1 })]);
    useMessagesStore().receive(message('b', { date: 2, text: 'second' }));
    await wrapper.vm.$nextTick();
    expect(bubbles(wrapper).map((b) => b.attributes('data-message-id'))).toEqual(['a', 'b']);
  });

  it('says when there are no messages yet', async () => {
    const wrapper = await openView([]);
    expect(wrapper.get('.conversation__chip').text()).toBe('No messages here yet');
  });
});
