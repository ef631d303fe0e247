import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as desk from '../api/desk.js';
import { i18n } from '../i18n/index.js';
import { useBusinessStore } from '../stores/business.js';
import { useConversationsStore } from '../stores/conversations.js';
import { PAGE_SIZE, useMessagesStore } from '../stores/messages.js';
import { useSessionStore } from '../stores/session.js';
import { conversation, message } from '../test/fixtures.js';
import ConversationView from './ConversationView.vue';
import { storedFixture } from '../test/telegramFixtures.js';

vi.mock('../api/desk.js');
enableAutoUnmount(afterEach);

// The header and the composer belong to their own specs; here they only have to be there.
const stubs = { ConversationHeader: { props: ['conversation'], template: '<header data-testid="header-stub">{{ conversation.chat_id }}</header>' }, Composer: { template: '<form data-testid="composer-stub"></form>' } };

const DAY = 86400;
const NOON = new Date(2026, 5, 16, 12).getTime() / 1000;

async function openView(messages, chat = conversation(1, { unread: 2 })) {
  desk.listMessages.mockResolvedValue({ messages });
  desk.markRead.mockResolvedValue({});
  const store = useConversationsStore();
  store.upsert(chat);
  store.open(chat.chat_id);
  const wrapper = mount(ConversationView, { global: { stubs }, attachTo: document.body });
  await flushPromises();
  return wrapper;
}

const bubbles = (wrapper) => wrapper.findAll('[data-testid="message-bubble"]');
const idsOf = (wrapper) => bubbles(wrapper).map((b) => b.attributes('data-message-id'));

/** jsdom lays nothing out: give the scroller the geometry a browser would. */
function geometry(wrapper, { scrollHeight, clientHeight = 500, scrollTop }) {
  const el = wrapper.get('.conversation__scroller').element;
  Object.defineProperty(el, 'scrollHeight', { configurable: true, get: () => scrollHeight });
  Object.defineProperty(el, 'clientHeight', { configurable: true, value: clientHeight });
  el.scrollTop = scrollTop;
  return el;
}

describe('ConversationView', () => {
  it('shows the open conversation: header, bubbles on both sides, composer, and reads it', async () => {
    const wrapper = await openView([
      message('in-1', { date: NOON, text: 'Hola' }),
      message('agent-1', { date: NOON + 1, type: 'AGENT', direction: 'out', text: 'Buenas', delivery: { state: 'sent' } }),
    ]);
    expect(wrapper.get('[data-testid="header-stub"]').text()).toBe('1');
    expect(bubbles(wrapper).map((b) => b.attributes('data-direction'))).toEqual(['in', 'out']);
    expect(wrapper.find('[data-testid="composer-stub"]').exists()).toBe(true);
    expect(desk.markRead).toHaveBeenCalledWith(1);
    expect(useConversationsStore().byId[1].unread).toBe(0);
  });

  it('shows a bubble the composer sends at once, queued', async () => {
    desk.sendMessage.mockImplementation(() => new Promise(() => {}));
    const wrapper = await openView([]);
    useMessagesStore().send(1, 'On my way');
    await flushPromises();
    const [bubble] = bubbles(wrapper);
    expect(bubble.attributes('data-direction')).toBe('out');
    expect(bubble.get('[data-testid="message-text"]').text()).toBe('On my way');
    expect(bubble.get('[data-testid="delivery-state"]').attributes('data-state')).toBe('queued');
  });

  it('appends new messages as they arrive', async () => {
    const wrapper = await openView([message('a', { date: 1 })]);
    useMessagesStore().receive(message('b', { date: 2, text: 'second' }));
    await wrapper.vm.$nextTick();
    expect(idsOf(wrapper)).toEqual(['a', 'b']);
  });

  it('says when there are no messages yet', async () => {
    const wrapper = await openView([]);
    expect(wrapper.get('.conversation__chip').text()).toBe('No messages here yet');
  });

  it('puts a day separator where the day changes', async () => {
    const wrapper = await openView([
      message('a', { date: NOON - 2 * DAY }), message('b', { date: NOON - 2 * DAY + 60 }),
      message('c', { date: NOON - DAY }), message('d', { date: NOON }),
    ]);
    const order = wrapper.findAll('[data-testid="day-separator"], [data-testid="message-bubble"]')
      .map((el) => el.attributes('data-message-id') ?? 'day');
    expect(order).toEqual(['day', 'a', 'b', 'day', 'c', 'day', 'd']);
  });

  it('groups an album\'s consecutive parts into one bubble', async () => {
    const wrapper = await openView([
      message('before', { date: 1781601200 }), storedFixture('album_1'), storedFixture('album_2'), message('after', { date: 1781601400 }),
    ]);
    expect(idsOf(wrapper)).toEqual(['before', 'tg-111111111-104', 'after']);
    expect(wrapper.get('[data-testid="media-album"]').findAll('[data-testid="media-photo"]')).toHaveLength(2);
  });

  it('loads older history when scrolled to the top, keeping the view where it was', async () => {
    const page = (from) => Array.from({ length: PAGE_SIZE }, (_, i) => message(`m${from + i}`, { date: NOON + from + i, stored_at: from + i }));
    const wrapper = await openView(page(1000));
    let answer;
    desk.listMessages.mockImplementationOnce(() => new Promise((resolve) => { answer = resolve; }));
    const el = geometry(wrapper, { scrollHeight: 3000, scrollTop: 10 });
    await wrapper.get('.conversation__scroller').trigger('scroll'); // drawn at the top, not scrolled up: no load
    expect(desk.listMessages).toHaveBeenCalledTimes(1);
    el.scrollTop = 2500;
    await wrapper.get('.conversation__scroller').trigger('scroll');
    el.scrollTop = 10; // the agent scrolls up to the top
    await wrapper.get('.conversation__scroller').trigger('scroll');
    expect(desk.listMessages).toHaveBeenLastCalledWith(1, 1000);
    expect(wrapper.find('[data-testid="history-loading"]').exists()).toBe(true);

    Object.defineProperty(el, 'scrollHeight', { configurable: true, get: () => 6000 });
    answer({ messages: page(900).slice(0, 10) });
    await flushPromises();
    expect(idsOf(wrapper)[0]).toBe('m900');
    expect(el.scrollTop).toBe(3010); // the same message stays under the agent's eyes
    expect(wrapper.find('[data-testid="history-loading"]').exists()).toBe(false);

    el.scrollTop = 5;
    await wrapper.get('.conversation__scroller').trigger('scroll');
    expect(desk.listMessages).toHaveBeenCalledTimes(2); // a short page was the last one
  });

  it('offers a jump to the newest, counting what arrived meanwhile', async () => {
    useSessionStore().agent = { username: 'ana', name: 'Ana' };
    const wrapper = await openView([message('a', { date: 1 })]);
    expect(wrapper.find('[data-testid="jump-to-newest"]').exists()).toBe(false);
    const el = geometry(wrapper, { scrollHeight: 3000, scrollTop: 1000 });
    await wrapper.get('.conversation__scroller').trigger('scroll');
    const jump = wrapper.get('[data-testid="jump-to-newest"]');
    expect(jump.attributes('aria-label')).toBe('Jump to the newest messages');

    useMessagesStore().receive(message('b', { date: 2 }));
    useMessagesStore().receive(message('c', { date: 3 }));
    await flushPromises();
    expect(el.scrollTop).toBe(1000); // reading further up: not pulled down
    expect(wrapper.get('[data-testid="jump-to-newest-count"]').text()).toBe('2');

    await jump.trigger('click');
    await flushPromises();
    expect(el.scrollTop).toBe(3000);
    expect(wrapper.find('[data-testid="jump-to-newest"]').exists()).toBe(false);
  });

  it('follows the agent\'s own answer even when scrolled up', async () => {
    useSessionStore().agent = { username: 'ana', name: 'Ana' };
    desk.sendMessage.mockImplementation(() => new Promise(() => {}));
    const wrapper = await openView([message('a', { date: 1 })]);
    const el = geometry(wrapper, { scrollHeight: 3000, scrollTop: 1000 });
    await wrapper.get('.conversation__scroller').trigger('scroll');
    useMessagesStore().send(1, 'Hi');
    await flushPromises();
    expect(el.scrollTop).toBe(3000);
  });
});

describe('ConversationView: a Telegram Business chat', () => {
  const KEY = -6755399441055745;
  const acme = (overrides = {}) => ({ id: 'conn-1', user: { id: 7, first_name: 'Acme', last_name: 'Support' },
    is_enabled: true, rights: { can_reply: true }, ...overrides });
  const businessChat = () => conversation(KEY, {
    business: { connection_id: 'conn-1', chat_id: 42, customer_wrote_at: Date.now() / 1000 } });
  const sent = message(`agent-c1`, { chat_id: KEY, type: 'AGENT', direction: 'out', text: 'Hola',
    agent: { username: 'ana', name: 'Ana' }, delivery: { state: 'sent', telegram_message_id: 9 } });
  const banner = (wrapper) => wrapper.find('[data-testid="business-readonly"]');

  /** The actions the bubble's menu offers (opened, read, closed again). */
  async function actionsOn(wrapper) {
    const button = wrapper.get('[data-testid="message-menu-button"]');
    await button.trigger('click');
    const offered = wrapper.findAll('[role="menuitem"]').map((item) => item.attributes('data-testid'));
    await button.trigger('click');
    return offered;
  }

  it('turns read-only, with a banner, when its connection is turned off', async () => {
    useBusinessStore().upsert(acme());
    const wrapper = await openView([], businessChat());
    expect(banner(wrapper).exists()).toBe(false);
    useBusinessStore().upsert(acme({ is_enabled: false }));
    await flushPromises();
    expect(banner(wrapper).text()).toBe('Acme Support disconnected the bot or turned the connection off: this conversation is read-only.');
    i18n.global.locale.value = 'es';
    await flushPromises();
    expect(banner(wrapper).text()).toContain('esta conversación es de solo lectura');
  });

  it('lets its bubbles delete only with the connection\'s delete right', async () => {
    useSessionStore().agent = { username: 'ana', name: 'Ana' };
    useBusinessStore().upsert(acme());
    const wrapper = await openView([sent], businessChat());
    expect(await actionsOn(wrapper)).not.toContain('message-action-delete');
    useBusinessStore().upsert(acme({ rights: { can_reply: true, can_delete_sent_messages: true } }));
    await flushPromises();
    expect(await actionsOn(wrapper)).toContain('message-action-delete');
  });
});
