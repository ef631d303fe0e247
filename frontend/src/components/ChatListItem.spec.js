import { enableAutoUnmount, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { BUSINESS_REPLY_WINDOW_S } from '../api/rules.js';
import { i18n } from '../i18n/index.js';
import { useBusinessStore } from '../stores/business.js';
import { useSessionStore } from '../stores/session.js';
import { NOW, fakeClock, marksShown, tick } from '../test/lifecycle.js';
import ChatListItem from './ChatListItem.vue';

enableAutoUnmount(afterEach); // a countdown holds the page's clock while it is mounted

const HOSTILE = '<img src=x onerror=alert(1)>';

function conversation(overrides = {}) {
  return {
    chat_id: 42,
    customer: { id: 42, first_name: 'Ana', last_name: 'García', username: 'anag', language_code: 'es' },
    status: 'open',
    assignee: null,
    unread: 0,
    last_message: { text: 'Hola, necesito ayuda', type: 'CLIENT', date: Date.now() / 1000, direction: 'in' },
    created_at: 1,
    updated_at: Date.now() / 1000,
    blocked: false,
    ...overrides,
  };
}

const item = (overrides) => mount(ChatListItem, { props: { conversation: conversation(overrides) } });
const preview = (wrapper) => wrapper.get('[data-testid="conversation-preview"]').text();

describe('ChatListItem', () => {
  it('shows name, preview, time and the stable hooks', () => {
    const wrapper = item();
    const button = wrapper.get('[data-testid="conversation-item"]');
    expect(button.attributes('data-chat-id')).toBe('42');
    expect(button.attributes('data-status')).toBe('open');
    expect(button.attributes('aria-current')).toBeUndefined();
    expect(wrapper.get('[data-testid="conversation-name"]').text()).toBe('Ana García');
    expect(preview(wrapper)).toBe('Hola, necesito ayuda');
    expect(wrapper.get('.avatar').text()).toBe('AG');
    expect(wrapper.get('.chat-item__time').text()).toMatch(/\d{1,2}:\d{2}/);
  });

  it('asks the relay for the customer photo, initials underneath', () => {
    const avatar = item().get('[data-testid="conversation-avatar"]');
    expect(avatar.attributes('data-kind')).toBe('photo');
    expect(avatar.get('img').attributes('src')).toBe('/api/conversations/42/avatar');
  });

  it('marks the open chat as current', () => {
    const wrapper = mount(ChatListItem, { props: { conversation: conversation(), active: true } });
    expect(wrapper.attributes('aria-current')).toBe('true');
  });

  it('shows the unread badge only when there is something unread', async () => {
    const wrapper = item();
    expect(wrapper.find('[data-testid="unread-badge"]').exists()).toBe(false);
    await wrapper.setProps({ conversation: conversation({ unread: 3 }) });
    const badge = wrapper.get('[data-testid="unread-badge"]');
    expect(badge.text()).toBe('3');
    expect(badge.attributes('aria-label')).toBe('3 unread messages');
  });

  it.each([undefined, null, 'snoozed'])('reads a status of %s as open, never a raw key', (status) => {
    const wrapper = item({ status });
    expect(wrapper.get('[data-testid="conversation-status"]').text()).toBe('Open');
    expect(wrapper.get('[data-testid="conversation-item"]').attributes('data-status')).toBe('open');
  });

  it('shows the status, and the assignee when there is one (you, for yourself)', async () => {
    useSessionStore().agent = { username: 'bea', name: 'Bea' };
    const wrapper = item({ status: 'pending' });
    expect(wrapper.get('[data-testid="conversation-status"]').text()).toBe('Pending');
    expect(wrapper.get('[data-testid="conversation-item"]').attributes('data-status')).toBe('pending');
    expect(wrapper.find('[data-testid="conversation-assignee"]').exists()).toBe(false);
    await wrapper.setProps({ conversation: conversation({ status: 'resolved', assignee: 'ana' }) });
    expect(wrapper.get('[data-testid="conversation-status"]').text()).toBe('Resolved');
    expect(wrapper.get('[data-testid="conversation-assignee"]').text()).toBe('ana');
    expect(wrapper.get('[data-testid="conversation-assignee"]').attributes('title')).toBe('Assigned to ana');
    await wrapper.setProps({ conversation: conversation({ assignee: 'bea' }) });
    expect(wrapper.get('[data-testid="conversation-assignee"]').text()).toBe('You');
  });

  it('emits select with the chat id', async () => {
    const wrapper = item();
    await wrapper.trigger('click');
    expect(wrapper.emitted('select')).toEqual([[42]]);
  });

  it('renders a hostile name and preview literally', () => {
    const wrapper = item({
      customer: { id: 42, first_name: HOSTILE },
      last_message: { text: HOSTILE, type: 'CLIENT', date: 1 },
    });
    expect(wrapper.get('[data-testid="conversation-name"]').text()).toBe(HOSTILE);
    expect(preview(wrapper)).toBe(HOSTILE);
    expect(wrapper.findAll('img').map((img) => img.attributes('src'))).toEqual(['/api/conversations/42/avatar']);
  });

  it('falls back to the username, then the id, and to a label for media', () => {
    const wrapper = item({ customer: { id: 7 }, last_message: { text: '', type: 'CLIENT', date: 1 } });
    expect(wrapper.get('[data-testid="conversation-name"]').text()).toBe('Customer 42');
    expect(preview(wrapper)).toBe('Media');
    const named = item({ customer: { id: 7, username: 'pepe' }, last_message: null });
    expect(named.get('[data-testid="conversation-name"]').text()).toBe('@pepe');
    expect(preview(named)).toBe('No messages yet');
    const photo = item({ last_message: { text: '', type: 'CLIENT', date: 1, media_kind: 'photo', direction: 'in' } });
    expect(preview(photo)).toBe('Photo');
  });

  it('says who answered: you, another agent by name, an agent, the bot', () => {
    useSessionStore().agent = { username: 'bea', name: 'Bea' };
    const out = (extra) => ({ last_message: { text: 'On it', type: 'AGENT', direction: 'out', date: 1, ...extra } });
    expect(preview(item(out({ agent: { username: 'bea', name: 'Bea' } })))).toBe('You: On it');
    expect(preview(item(out({ agent: { username: 'cris', name: 'Cris' } })))).toBe('Cris: On it');
    expect(preview(item(out()))).toBe('Agent: On it');
    expect(preview(item(out({ type: 'BOT' })))).toBe('Bot: On it');
  });

  it('says the business account typed it in Telegram', () => {
    const owner = { last_message: { text: 'Ya lo miro', type: 'OWNER', direction: 'out', date: 1 } };
    expect(preview(item(owner))).toBe('In Telegram: Ya lo miro');
  });

  it('never shows the text of a private note', () => {
    const wrapper = item({ last_message: { text: 'secret', type: 'AGENT', direction: 'note', date: 1 } });
    expect(preview(wrapper)).toBe('Private note');
  });

  describe('the lifecycle: SLA, priority, rating', () => {
    const find = (wrapper, testid) => wrapper.find(`[data-testid="${testid}"]`);

    it('shows none of them for a conversation from before the lifecycle', () => {
      expect(marksShown(item())).toEqual([]);
    });

    describe('on a fixed clock', () => {
      fakeClock();

      it('counts down the SLA beside the status, to "due now"', async () => {
        const wrapper = item({ sla_due_at: NOW + 2 });
        const sla = find(wrapper, 'sla-badge');
        expect(sla.attributes('data-sla')).toBe('due');
        expect(sla.text()).toBe('SLA in 0:02');
        expect(wrapper.get('.chat-item__marks').element.contains(sla.element)).toBe(true);
        await tick(1);
        expect(sla.text()).toBe('SLA in 0:01');
        await tick(1);
        expect(sla.text()).toBe('SLA due now');
      });
    });

    it('marks a breached, high-priority chat with the badge and a flag', () => {
      const wrapper = item({ sla_breached: true, priority: 'high' });
      expect(find(wrapper, 'sla-badge').attributes('data-sla')).toBe('breached');
      expect(find(wrapper, 'sla-badge').text()).toBe('SLA breached');
      const flag = find(wrapper, 'priority-badge');
      expect(flag.attributes('data-priority')).toBe('high');
      expect(flag.get('svg').attributes('aria-label')).toBe('High priority');
    });

    it('shows a compact rating once the customer rated', () => {
      const stars = find(item({ status: 'resolved', csat: { rating: 5, at: 1, opening: 1 } }), 'csat-stars');
      expect(stars.text()).toBe('★ 5');
      expect(stars.attributes('data-rating')).toBe('5');
      expect(stars.attributes('aria-label')).toBe('Rated 5 of 5');
      expect(find(item({ csat: null }), 'csat-stars').exists()).toBe(false);
    });

    it('speaks Spanish', () => {
      i18n.global.locale.value = 'es';
      const wrapper = item({ sla_breached: true, priority: 'high', csat: { rating: 1, at: 1, opening: 1 } });
      expect(find(wrapper, 'sla-badge').text()).toBe('SLA vencido');
      expect(find(wrapper, 'priority-badge').get('svg').attributes('aria-label')).toBe('Prioridad alta');
      expect(find(wrapper, 'csat-stars').attributes('aria-label')).toBe('Valorada con 1 de 5');
    });
  });

  describe('a Telegram Business chat', () => {
    const find = (wrapper, testid) => wrapper.find(`[data-testid="${testid}"]`);
    fakeClock();

    it('shows the account and the time left to answer beside the status, ticking', async () => {
      useBusinessStore().upsert({ id: 'conn-1', user: { id: 7, first_name: 'Acme' }, is_enabled: true, rights: {} });
      const wrapper = item({ chat_id: -6755399441055745,
        business: { connection_id: 'conn-1', chat_id: 42, customer_wrote_at: NOW - BUSINESS_REPLY_WINDOW_S + 61 } });
      const marks = wrapper.get('.chat-item__marks').element;
      const window = find(wrapper, 'reply-window');
      expect(find(wrapper, 'business-badge').text()).toBe('Acme');
      expect(marks.contains(find(wrapper, 'business-badge').element)).toBe(true);
      expect(window.text()).toBe('1:01');
      expect(marks.contains(window.element)).toBe(true);
      await tick(61);
      expect(window.text()).toBe('Closed');
      expect(window.attributes('data-state')).toBe('closed');
    });

    it('shows neither on a chat with the bot', () => {
      expect(find(item(), 'business-badge').exists()).toBe(false);
      expect(find(item(), 'reply-window').exists()).toBe(false);
    });
  });
});
