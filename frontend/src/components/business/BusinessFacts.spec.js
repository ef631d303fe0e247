import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { nextTick } from 'vue';
import { i18n } from '../../i18n/index.js';
import { useBusinessStore } from '../../stores/business.js';
import { conversation } from '../../test/fixtures.js';
import BusinessFacts from './BusinessFacts.vue';

const KEY = -6755399441055745;
const acme = (overrides = {}) => ({ id: 'conn-1', user: { id: 7, first_name: 'Acme', last_name: 'Support' },
  is_enabled: true, rights: { can_reply: true, can_read_messages: true }, ...overrides });
const facts = (chat = conversation(KEY, { business: { connection_id: 'conn-1', chat_id: 42, customer_wrote_at: 1 } })) =>
  mount({ components: { BusinessFacts }, props: ['chat'], template: '<dl><BusinessFacts :conversation="chat" /></dl>' },
    { props: { chat } });
const granted = (wrapper) => Object.fromEntries(wrapper.findAll('[data-testid="business-right"]')
  .map((item) => [item.attributes('data-right'), item.attributes('data-granted') === 'true']));

describe('BusinessFacts', () => {
  it('names the account, its connection\'s state and each right the desk acts on', () => {
    useBusinessStore().upsert(acme());
    const wrapper = facts();
    expect(wrapper.get('[data-testid="business-account"]').text()).toBe('Acme Support · connected');
    expect(granted(wrapper)).toEqual({ can_reply: true, can_read_messages: true, can_delete_sent_messages: false,
      can_delete_all_messages: false });
    const reply = wrapper.get('[data-right="can_reply"]');
    expect(reply.text()).toBe('Answer, within 24 hours of the customer\'s last message');
    expect(reply.get('svg').attributes('aria-label')).toBe('Allowed');
  });

  it('follows the connection live, and says when it is not known yet', async () => {
    const wrapper = facts();
    expect(wrapper.get('[data-testid="business-account"]').attributes('data-state')).toBe('unknown');
    expect(wrapper.find('[data-testid="business-right"]').exists()).toBe(false);
    useBusinessStore().upsert(acme({ is_enabled: false }));
    await nextTick();
    expect(wrapper.get('[data-testid="business-account"]').text()).toBe('Acme Support · disconnected or turned off');
  });

  it('says nothing of a chat with the bot', () => {
    expect(facts(conversation(5)).find('dt').exists()).toBe(false);
  });

  it('speaks Spanish', () => {
    i18n.global.locale.value = 'es';
    useBusinessStore().upsert(acme());
    const wrapper = facts();
    expect(wrapper.get('[data-testid="business-account"]').text()).toBe('Acme Support · conectada');
    expect(wrapper.get('[data-right="can_delete_sent_messages"] svg').attributes('aria-label')).toBe('No permitido');
  });
});
