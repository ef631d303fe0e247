import { enableAutoUnmount, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { nextTick } from 'vue';
import { i18n } from '../../i18n/index.js';
import { useBusinessStore } from '../../stores/business.js';
import { conversation } from '../../test/fixtures.js';
import BusinessBadge from './BusinessBadge.vue';

enableAutoUnmount(afterEach);

const KEY = -6755399441055745;
const acme = { id: 'conn-1', user: { id: 7, first_name: 'Acme', last_name: 'Support' }, is_enabled: true, rights: {} };
const businessChat = () => conversation(KEY, { business: { connection_id: 'conn-1', chat_id: 42, customer_wrote_at: 1 } });
const badge = (chat = businessChat()) => mount(BusinessBadge, { props: { conversation: chat } });

describe('BusinessBadge', () => {
  it('names the business account of the chat\'s connection', () => {
    useBusinessStore().upsert(acme);
    const shown = badge().get('[data-testid="business-badge"]');
    expect(shown.text()).toBe('Acme Support');
    expect(shown.attributes('data-connection-id')).toBe('conn-1');
    expect(shown.attributes('data-enabled')).toBe('true');
    expect(shown.attributes('title')).toBe('A Telegram Business chat of Acme Support: answers go out as the account');
  });

  it('says "Business" until the desk hears of the connection, then the name', async () => {
    const wrapper = badge();
    expect(wrapper.get('[data-testid="business-badge"]').text()).toBe('Business');
    useBusinessStore().upsert(acme);
    await nextTick();
    expect(wrapper.get('[data-testid="business-badge"]').text()).toBe('Acme Support');
  });

  it('says the connection is off, live', async () => {
    useBusinessStore().upsert(acme);
    const wrapper = badge();
    useBusinessStore().upsert({ ...acme, is_enabled: false });
    await nextTick();
    const shown = wrapper.get('[data-testid="business-badge"]');
    expect(shown.text()).toBe('Acme Support · disconnected');
    expect(shown.attributes('data-enabled')).toBe('false');
    expect(shown.classes()).toContain('pill--muted');
  });

  it('shows nothing on a chat with the bot', () => {
    expect(badge(conversation(5)).find('[data-testid="business-badge"]').exists()).toBe(false);
  });

  it('speaks Spanish', () => {
    i18n.global.locale.value = 'es';
    useBusinessStore().upsert({ ...acme, is_enabled: false });
    expect(badge().get('[data-testid="business-badge"]').text()).toBe('Acme Support · desconectada');
  });
});
