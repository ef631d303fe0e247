import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import * as desk from '../api/desk.js';
import { useConversationsStore } from '../stores/conversations.js';
import { useSessionStore } from '../stores/session.js';
import { conversation } from '../test/fixtures.js';
import ConversationHeader from './ConversationHeader.vue';

vi.mock('../api/desk.js');

const HOSTILE = '<img src=x onerror=alert(1)>';

function header(overrides = {}) {
  useSessionStore().agent = { username: 'ana', name: 'Ana' };
  const store = useConversationsStore();
  store.upsert(conversation(5, { customer: { id: 5, first_name: 'Luis', last_name: 'Pérez', username: 'luisp' }, ...overrides }));
  return mount(ConversationHeader, { props: { conversation: store.byId[5] } });
}

const button = (wrapper, name) => wrapper.get(`[data-testid="action-${name}"]`);

describe('ConversationHeader', () => {
  it('shows who, @username, status and assignee', () => {
    const wrapper = header({ assignee: 'bob' });
    expect(wrapper.get('[data-testid="conversation-title"]').text()).toBe('Luis Pérez');
    expect(wrapper.get('.header__handle').text()).toBe('@luisp');
    expect(wrapper.get('[data-testid="conversation-status"]').text()).toBe('Open');
    expect(wrapper.get('[data-testid="conversation-status"]').attributes('data-status')).toBe('open');
    expect(wrapper.get('.header__assignee').text()).toBe('Assigned to bob');
  });

  it('offers the actions that apply', () => {
    const open = header();
    expect(button(open, 'assign').attributes('disabled')).toBeUndefined();
    expect(button(open, 'resolve').attributes('disabled')).toBeUndefined();
    expect(button(open, 'reopen').attributes('disabled')).toBeDefined();
  });

  it('offers reopen once resolved, and no assign when it is already mine', () => {
    const wrapper = header({ status: 'resolved', assignee: 'ana' });
    expect(wrapper.get('.header__assignee').text()).toBe('Assigned to you');
    expect(button(wrapper, 'assign').attributes('disabled')).toBeDefined();
    expect(button(wrapper, 'resolve').attributes('disabled')).toBeDefined();
    expect(button(wrapper, 'reopen').attributes('disabled')).toBeUndefined();
  });

  it.each(['assign', 'resolve', 'reopen'])('%s calls the API for this chat', async (action) => {
    desk[action].mockResolvedValue({ conversation: conversation(5, { updated_at: 200 }) });
    const wrapper = header({ status: 'pending' });
    await button(wrapper, action).trigger('click');
    await flushPromises();
    expect(desk[action]).toHaveBeenCalledWith(5, ...(action === 'assign' ? [undefined] : []));
  });

  it('shows a failed action', async () => {
    desk.resolve.mockRejectedValue(new Error('no such conversation'));
    const wrapper = header();
    await button(wrapper, 'resolve').trigger('click');
    await flushPromises();
    expect(wrapper.get('[data-testid="action-error"]').text()).toBe('That did not work: no such conversation');
  });

  it('shows a hostile name literally and says when the bot is blocked', () => {
    const store = useConversationsStore();
    store.upsert(conversation(6, { customer: { id: 6, first_name: HOSTILE }, blocked: true }));
    const wrapper = mount(ConversationHeader, { props: { conversation: store.byId[6] } });
    expect(wrapper.get('[data-testid="conversation-title"]').text()).toBe(HOSTILE);
    expect(wrapper.find('img').exists()).toBe(false);
    expect(wrapper.get('.header__blocked').text()).toBe('The customer blocked the bot');
  });
});
