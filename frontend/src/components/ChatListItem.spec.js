import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import ChatListItem from './ChatListItem.vue';

const HOSTILE = '<img src=x onerror=alert(1)>';

function conversation(overrides = {}) {
  return {
    chat_id: 42,
    customer: { id: 42, first_name: 'Ana', last_name: 'García', username: 'anag', language_code: 'es' },
    status: 'open',
    assignee: null,
    unread: 0,
    last_message: { text: 'Hola, necesito ayuda', type: 'CLIENT', date: Date.now() / 1000 },
    created_at: 1,
    updated_at: Date.now() / 1000,
    blocked: false,
    ...overrides,
  };
}

describe('ChatListItem', () => {
  it('shows name, preview, time and the stable hooks', () => {
    const wrapper = mount(ChatListItem, { props: { conversation: conversation() } });
    const item = wrapper.get('[data-testid="conversation-item"]');
    expect(item.attributes('data-chat-id')).toBe('42');
    expect(wrapper.get('[data-testid="conversation-name"]').text()).toBe('Ana García');
    expect(wrapper.get('[data-testid="conversation-preview"]').text()).toBe('Hola, necesito ayuda');
    expect(wrapper.get('.avatar').text()).toBe('AG');
    expect(wrapper.get('.chat-item__time').text()).toMatch(/\d{1,2}:\d{2}/);
  });

  it('shows the unread badge only when there is something unread', async () => {
    const wrapper = mount(ChatListItem, { props: { conversation: conversation() } });
    expect(wrapper.find('[data-testid="unread-badge"]').exists()).toBe(false);
    await wrapper.setProps({ conversation: conversation({ unread: 3 }) });
    const badge = wrapper.get('[data-testid="unread-badge"]');
    expect(badge.text()).toBe('3');
    expect(badge.attributes('aria-label')).toBe('3 unread messages');
  });

  it('emits select with the chat id', async () => {
    const wrapper = mount(ChatListItem, { props: { conversation: conversation() } });
    await wrapper.trigger('click');
    expect(wrapper.emitted('select')).toEqual([[42]]);
  });

  it('renders a hostile name and preview literally', () => {
    const wrapper = mount(ChatListItem, {
      props: {
        conversation: conversation({
          customer: { id: 42, first_name: HOSTILE },
          last_message: { text: HOSTILE, type: 'CLIENT', date: 1 },
        }),
      },
    });
    expect(wrapper.get('[data-testid="conversation-name"]').text()).toBe(HOSTILE);
    expect(wrapper.get('[data-testid="conversation-preview"]').text()).toBe(HOSTILE);
    expect(wrapper.find('img').exists()).toBe(false);
  });

  it('falls back to the username, then the id, and to a label for media', () => {
    const wrapper = mount(ChatListItem, {
      props: { conversation: conversation({ customer: { id: 7 }, last_message: { text: '', type: 'CLIENT', date: 1 } }) },
    });
    expect(wrapper.get('[data-testid="conversation-name"]').text()).toBe('Customer 42');
    expect(wrapper.get('[data-testid="conversation-preview"]').text()).toBe('Media');
    const named = mount(ChatListItem, { props: { conversation: conversation({ customer: { id: 7, username: 'pepe' }, last_message: null }) } });
    expect(named.get('[data-testid="conversation-name"]').text()).toBe('@pepe');
    expect(named.get('[data-testid="conversation-preview"]').text()).toBe('No messages yet');
  });

  it('marks answers from agents in the preview', () => {
    const wrapper = mount(ChatListItem, {
      props: { conversation: conversation({ last_message: { text: 'On it', type: 'AGENT', date: 1 } }) },
    });
    expect(wrapper.get('[data-testid="conversation-preview"]').text()).toBe('Agent: On it');
  });
});
