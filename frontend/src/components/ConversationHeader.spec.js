import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defineComponent, h, ref } from 'vue';
import { ApiError } from '../api/client.js';
import * as desk from '../api/desk.js';
import { BUSINESS_REPLY_WINDOW_S } from '../api/rules.js';
import { i18n } from '../i18n/index.js';
import { useBusinessStore } from '../stores/business.js';
import { useConversationsStore } from '../stores/conversations.js';
import { useSessionStore } from '../stores/session.js';
import { useTeamStore } from '../stores/team.js';
import { conversation } from '../test/fixtures.js';
import { NOW, fakeClock, marksShown, tick } from '../test/lifecycle.js';
import ConversationHeader from './ConversationHeader.vue';

vi.mock('../api/desk.js');
enableAutoUnmount(afterEach); // a countdown holds the page's clock while it is mounted

const HOSTILE = '<img src=x onerror=alert(1)>';
const AGENTS = [
  { username: 'ana', name: 'Ana', role: 'admin', disabled: false },
  { username: 'bob', name: 'Bob', role: 'agent', disabled: false },
  { username: 'cid', name: 'Cid', role: 'agent', disabled: true },
];

function header(overrides = {}, provide = {}) {
  useSessionStore().agent = { username: 'ana', name: 'Ana' };
  const store = useConversationsStore();
  store.upsert(conversation(5, { customer: { id: 5, first_name: 'Luis', last_name: 'Pérez', username: 'luisp' }, ...overrides }));
  // As ConversationView does: the header follows the store's current state of the chat.
  const host = defineComponent({ setup: () => () => h(ConversationHeader, { conversation: store.byId[5] }) });
  return mount(host, { global: { provide } });
}

const button = (wrapper, name) => wrapper.get(`[data-testid="action-${name}"]`);
const assignee = (wrapper) => wrapper.get('[data-testid="conversation-assignee-label"]').text();

describe('ConversationHeader', () => {
  it('shows who, @username, status and assignee', () => {
    const wrapper = header({ assignee: 'bob' });
    expect(wrapper.get('[data-testid="conversation-title"]').text()).toBe('Luis Pérez');
    expect(wrapper.get('.header__handle').text()).toBe('@luisp');
    expect(wrapper.get('[data-testid="conversation-status"]').text()).toBe('Open');
    expect(wrapper.get('[data-testid="conversation-status"]').attributes('data-status')).toBe('open');
    expect(assignee(wrapper)).toBe('Assigned to bob');
  });

  it('names the assignee from the team, and me by my name', async () => {
    useTeamStore().agents = AGENTS;
    expect(assignee(header({ assignee: 'bob' }))).toBe('Assigned to Bob');
    expect(assignee(header({ assignee: 'ana' }))).toBe('Assigned to Ana (you)');
    expect(assignee(header({ assignee: null }))).toBe('Unassigned');
  });

  it.each([undefined, null, 'snoozed'])('reads a status of %s as open, never a raw key', (status) => {
    const wrapper = header({ status });
    const label = wrapper.get('[data-testid="conversation-status"]');
    expect(label.text()).toBe('Open');
    expect(label.attributes('data-status')).toBe('open');
    expect(button(wrapper, 'reopen').attributes('disabled')).toBeDefined();
  });

  it('offers the actions that apply', () => {
    const open = header();
    expect(button(open, 'assign').attributes('disabled')).toBeUndefined();
    expect(button(open, 'pending').attributes('disabled')).toBeUndefined();
    expect(button(open, 'resolve').attributes('disabled')).toBeUndefined();
    expect(button(open, 'reopen').attributes('disabled')).toBeDefined();
    expect(button(open, 'start').attributes('disabled')).toBeDefined(); // a new conversation follows a resolved one
    expect(button(header({ status: 'resolved' }), 'start').attributes('disabled')).toBeUndefined();
  });

  it('offers reopen once resolved, and no assign when it is already mine', () => {
    const wrapper = header({ status: 'resolved', assignee: 'ana' });
    expect(button(wrapper, 'assign').attributes('disabled')).toBeDefined();
    expect(button(wrapper, 'resolve').attributes('disabled')).toBeDefined();
    expect(button(wrapper, 'reopen').attributes('disabled')).toBeUndefined();
  });

  it('offers no pending when it is pending', () => {
    expect(button(header({ status: 'pending' }), 'pending').attributes('disabled')).toBeDefined();
  });

  it.each([
    ['assign', 'assign', [undefined], 'open'],
    ['pending', 'pending', [], 'open'],
    ['resolve', 'resolve', [], 'open'],
    ['reopen', 'reopen', [], 'resolved'],
    ['start', 'startConversation', [], 'resolved'],
  ])('%s calls the API for this chat and shows the answer', async (action, call, extra, status) => {
    desk[call].mockResolvedValue({ conversation: conversation(5, { updated_at: 200, status: 'pending' }) });
    const wrapper = header({ status, assignee: 'bob' });
    await button(wrapper, action).trigger('click');
    await flushPromises();
    expect(desk[call]).toHaveBeenCalledWith(5, ...extra);
    expect(wrapper.get('[data-testid="conversation-status"]').attributes('data-status')).toBe('pending');
  });

  it('assigns to another agent from the select of enabled agents', async () => {
    useTeamStore().agents = AGENTS;
    desk.assign.mockResolvedValue({ conversation: conversation(5, { updated_at: 200, assignee: 'bob' }) });
    const wrapper = header({ assignee: null });
    const select = wrapper.get('[data-testid="assign-select"]');
    expect(select.findAll('option').map((o) => o.attributes('value'))).toEqual(['', 'ana', 'bob']);
    expect(select.element.value).toBe('');
    await select.setValue('bob');
    await flushPromises();
    expect(desk.assign).toHaveBeenCalledWith(5, 'bob');
    expect(select.element.value).toBe('bob');
    expect(assignee(wrapper)).toBe('Assigned to Bob');
  });

  it('keeps showing the assignee when assigning fails, and lists a disabled assignee', async () => {
    useTeamStore().agents = AGENTS;
    desk.assign.mockRejectedValue(new Error('no such agent'));
    const wrapper = header({ assignee: 'cid' });
    const select = wrapper.get('[data-testid="assign-select"]');
    expect(select.findAll('option').map((o) => o.attributes('value'))).toEqual(['', 'ana', 'bob', 'cid']);
    await select.setValue('bob');
    await flushPromises();
    expect(select.element.value).toBe('cid');
    expect(wrapper.get('[data-testid="action-error"]').text()).toBe('That did not work: no such agent');
  });

  it('shows a failed action', async () => {
    desk.resolve.mockRejectedValue(new Error('no such conversation'));
    const wrapper = header();
    await button(wrapper, 'resolve').trigger('click');
    await flushPromises();
    expect(wrapper.get('[data-testid="action-error"]').text()).toBe('That did not work: no such conversation');
  });

  it('says a lost request in the agent\'s language', async () => {
    desk.resolve.mockRejectedValue(new ApiError(0, 'Failed to fetch', null, { key: 'errors.network' }));
    i18n.global.locale.value = 'es';
    const wrapper = header();
    await button(wrapper, 'resolve').trigger('click');
    await flushPromises();
    expect(wrapper.get('[data-testid="action-error"]').text())
      .toBe('No se pudo hacer: no se pudo contactar con el servidor; revisa la conexión');
  });

  it('opens the customer panel from the name', async () => {
    const open = ref(false);
    const wrapper = header({}, { 'teledesk.sidePanel': { open, toggle: () => { open.value = !open.value; } } });
    const info = wrapper.get('[data-testid="customer-info-button"]');
    expect(info.attributes('aria-expanded')).toBe('false');
    await info.trigger('click');
    expect(open.value).toBe(true);
    expect(info.attributes('aria-expanded')).toBe('true');
  });

  it('warns when another agent has the chat open', () => {
    useTeamStore().setPresence({ chat_id: 5, agents: [{ username: 'bob', name: 'Bob', typing: true }] });
    expect(header().get('[data-testid="collision-warning"]').attributes('data-typing')).toBe('true');
  });

  it('shows a hostile name literally and says when the bot is blocked', () => {
    const store = useConversationsStore();
    store.upsert(conversation(6, { customer: { id: 6, first_name: HOSTILE }, blocked: true }));
    const wrapper = mount(ConversationHeader, { props: { conversation: store.byId[6] } });
    expect(wrapper.get('[data-testid="conversation-title"]').text()).toBe(HOSTILE);
    expect(wrapper.find('img[src="x"]').exists()).toBe(false);
    expect(wrapper.get('.header__blocked').text()).toBe('The customer blocked the bot');
  });

  describe('the lifecycle: SLA, priority, rating', () => {
    const find = (wrapper, testid) => wrapper.find(`[data-testid="${testid}"]`);

    it('shows none of them for a conversation from before the lifecycle', () => {
      expect(marksShown(header())).toEqual([]);
    });

    describe('on a fixed clock', () => {
      fakeClock();

      it('counts down the first-response SLA, and turns breached and high priority live', async () => {
        const wrapper = header({ sla_due_at: NOW + 65, updated_at: NOW });
        expect(find(wrapper, 'sla-badge').attributes('data-sla')).toBe('due');
        expect(find(wrapper, 'sla-badge').text()).toBe('SLA in 1:05');
        await tick(5);
        expect(find(wrapper, 'sla-badge').text()).toBe('SLA in 1:00');
        await tick(60);
        expect(find(wrapper, 'sla-badge').text()).toBe('SLA due now');
        expect(find(wrapper, 'priority-badge').exists()).toBe(false);
        // The relay's `conversation` event after its breach.
        useConversationsStore().upsert(conversation(5, { sla_due_at: NOW + 65, sla_breached: true, priority: 'high', updated_at: NOW + 66 }));
        await flushPromises();
        expect(find(wrapper, 'sla-badge').attributes('data-sla')).toBe('breached');
        expect(find(wrapper, 'sla-badge').text()).toBe('SLA breached');
        expect(find(wrapper, 'priority-badge').text()).toBe('High priority');
      });
    });

    it('shows no countdown once an agent answered, and one again on a reopen', () => {
      expect(find(header({ sla_due_at: null, first_response_at: NOW }), 'sla-badge').exists()).toBe(false);
      const reopened = header({ sla_due_at: NOW + 60, first_response_at: NOW - 3600 });
      expect(find(reopened, 'sla-badge').attributes('data-sla')).toBe('due');
    });

    it('shows the customer\'s rating as stars', () => {
      const stars = find(header({ status: 'resolved', csat: { rating: 4, at: NOW, opening: NOW - 600 } }), 'csat-stars');
      expect(stars.text()).toBe('★★★★☆');
      expect(stars.attributes('data-rating')).toBe('4');
      expect(stars.attributes('aria-label')).toBe('Rated 4 of 5');
    });

    it('speaks Spanish', () => {
      i18n.global.locale.value = 'es';
      const wrapper = header({ sla_breached: true, priority: 'high', csat: { rating: 2, at: NOW, opening: NOW - 600 } });
      expect(find(wrapper, 'sla-badge').text()).toBe('SLA vencido');
      expect(find(wrapper, 'priority-badge').text()).toBe('Prioridad alta');
      expect(find(wrapper, 'csat-stars').attributes('aria-label')).toBe('Valorada con 2 de 5');
    });
  });

  describe('a Telegram Business chat', () => {
    fakeClock();

    it('names the business account and counts down the reply window until it closes', async () => {
      useBusinessStore().upsert({ id: 'conn-1', user: { id: 7, first_name: 'Acme', last_name: 'Support' },
        is_enabled: true, rights: { can_reply: true } });
      const wrapper = header({ business: { connection_id: 'conn-1', chat_id: 5, customer_wrote_at: NOW - BUSINESS_REPLY_WINDOW_S + 3600 } });
      expect(wrapper.get('[data-testid="business-badge"]').text()).toBe('Acme Support');
      const window = wrapper.get('[data-testid="reply-window"]');
      expect(window.text()).toBe('Reply within 1 h 00 m');
      await tick(1);
      expect(window.text()).toBe('Reply within 59:59');
      await tick(3599);
      expect(window.text()).toBe('Reply window closed');
    });

    it('shows no business marks on a chat with the bot', () => {
      const wrapper = header();
      expect(wrapper.find('[data-testid="business-badge"]').exists()).toBe(false);
      expect(wrapper.find('[data-testid="reply-window"]').exists()).toBe(false);
    });
  });
});
