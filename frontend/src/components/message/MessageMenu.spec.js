import { enableAutoUnmount, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import MessageMenu from './MessageMenu.vue';

enableAutoUnmount(afterEach);

const customerMessage = { id: 'tg-1-10', type: 'CLIENT', chat_id: 1, date: 1, text: 'Hola', direction: 'in' };

describe('MessageMenu', () => {
  it('is not there at all for a message with no action', () => {
    const wrapper = mount(MessageMenu, { props: { message: { id: 'tg-update-3', type: 'MEMBER', chat_id: 1, text: '' } } });
    expect(wrapper.find('[data-testid="message-menu-button"]').exists()).toBe(false);
    expect(wrapper.vm.open()).toBe(false);
  });

  it('says it is a menu, and closes on a click elsewhere', async () => {
    const wrapper = mount(MessageMenu, { props: { message: customerMessage }, attachTo: document.body });
    const button = wrapper.get('[data-testid="message-menu-button"]');
    expect(button.attributes()).toMatchObject({ 'aria-haspopup': 'menu', 'aria-expanded': 'false', 'aria-label': 'Message actions' });
    await button.trigger('click');
    expect(button.attributes('aria-expanded')).toBe('true');
    document.body.dispatchEvent(new Event('pointerdown', { bubbles: true }));
    await wrapper.vm.$nextTick();
    expect(wrapper.find('[role="menu"]').exists()).toBe(false);
  });
});
