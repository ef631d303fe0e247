import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { i18n } from '../i18n/index.js';
import { useBusinessStore } from '../stores/business.js';
import { conversation } from '../test/fixtures.js';
import SidePanel from './SidePanel.vue';

const HOSTILE = '<img src=x onerror=alert(1)>';

function panel(overrides = {}) {
  return mount(SidePanel, { props: { conversation: conversation(5, overrides) } });
}

const text = (wrapper, testid) => wrapper.get(`[data-testid="${testid}"]`).text();

describe('SidePanel', () => {
  it('shows the customer: name, @username, language, deep-link context', () => {
    const wrapper = panel({
      customer: { id: 5, first_name: 'Luis', username: 'luisp', language_code: 'es' },
      context: { start: 'order_1234' },
      conversation_number: 2,
    });
    expect(wrapper.get('.side__name').text()).toBe('Luis');
    expect(text(wrapper, 'customer-username')).toBe('@luisp');
    expect(text(wrapper, 'customer-language')).toBe('Spanish (es)');
    expect(text(wrapper, 'customer-context')).toBe('Deep link: order_1234');
    expect(wrapper.text()).toContain('No. 2');
    expect(wrapper.find('[data-testid="customer-blocked"]').exists()).toBe(false);
  });

  it('reads a context given as an object, and says when there is none', () => {
    expect(text(panel({ context: { start: { payload: 'promo_7' } } }), 'customer-context')).toBe('Deep link: promo_7');
    expect(text(panel({ context: {} }), 'customer-context')).toBe('Wrote directly');
    expect(text(panel({ context: undefined }), 'customer-context')).toBe('Wrote directly');
  });

  it('says what it does not know, in Spanish too', () => {
    i18n.global.locale.value = 'es';
    const wrapper = panel({ customer: { id: 5, first_name: 'Luis', language_code: 'en' } });
    expect(text(wrapper, 'customer-username')).toBe('Ninguno');
    expect(text(wrapper, 'customer-language')).toBe('inglés (en)');
    expect(text(panel({ customer: { id: 5, first_name: 'Luis' } }), 'customer-language')).toBe('Desconocido');
  });

  it('shows that the customer blocked the bot', () => {
    expect(text(panel({ blocked: true }), 'customer-blocked')).toBe('Blocked the bot: messages to them are not delivered.');
  });

  it('tells which business account a Telegram Business chat came through', () => {
    useBusinessStore().upsert({ id: 'conn-1', user: { id: 7, first_name: 'Acme' }, is_enabled: true, rights: {} });
    const wrapper = panel({ business: { connection_id: 'conn-1', chat_id: 5, customer_wrote_at: 1 } });
    expect(text(wrapper, 'business-account')).toBe('Acme · connected');
    expect(panel().find('[data-testid="business-account"]').exists()).toBe(false);
  });

  it('shows customer text literally', () => {
    const wrapper = panel({ customer: { id: 5, first_name: HOSTILE }, context: { start: HOSTILE } });
    expect(wrapper.get('.side__name').text()).toBe(HOSTILE);
    expect(text(wrapper, 'customer-context')).toBe(`Deep link: ${HOSTILE}`);
    expect(wrapper.find('img[src="x"]').exists()).toBe(false);
  });

  it('closes from its button, and takes the focus while open', async () => {
    const wrapper = mount(SidePanel, { props: { conversation: conversation(5) }, attachTo: document.body });
    await wrapper.vm.$nextTick();
    const close = wrapper.get('[data-testid="side-panel-close"]');
    expect(document.activeElement).toBe(close.element);
    await close.trigger('click');
    expect(wrapper.emitted('close')).toHaveLength(1);
    wrapper.unmount();
  });
});
