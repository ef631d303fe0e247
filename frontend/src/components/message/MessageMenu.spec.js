import { enableAutoUnmount, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { computed, ref } from 'vue';
import { REPLY_WINDOW_KEY } from '../../composables/useReplyWindow.js';
import { useSessionStore } from '../../stores/session.js';
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

describe('MessageMenu in a Telegram Business chat', () => {
  const answer = { id: 'agent-c1', type: 'AGENT', chat_id: -6755399441055745, date: 1, text: 'Hola', direction: 'out',
    agent: { username: 'ana', name: 'Ana' }, delivery: { state: 'sent', telegram_message_id: 9 } };

  /** The actions the menu offers on `message`, under a reply window with `refusal` and `mayDelete`. */
  async function offered(message, { refusal = null, mayDelete = true } = {}) {
    useSessionStore().agent = { username: 'ana', name: 'Ana' };
    const replyWindow = { refusal: ref(refusal), mayDelete: computed(() => mayDelete) };
    const wrapper = mount(MessageMenu, { props: { message }, global: { provide: { [REPLY_WINDOW_KEY]: replyWindow } } });
    if (!wrapper.find('[data-testid="message-menu-button"]').exists()) return [];
    await wrapper.get('[data-testid="message-menu-button"]').trigger('click');
    return wrapper.findAll('[role="menuitem"]').map((item) => item.attributes('data-testid').replace('message-action-', ''));
  }

  it('offers every action while the window is open and the rights allow', async () => {
    expect(await offered(answer)).toEqual(['reply', 'edit', 'delete', 'copy']);
  });

  it('offers no reply and no edit once an answer would be refused', async () => {
    expect(await offered(answer, { refusal: 'windowClosed' })).toEqual(['delete', 'copy']);
    expect(await offered({ ...customerMessage, chat_id: answer.chat_id }, { refusal: 'noReply' })).toEqual(['copy']);
  });

  it('offers no delete without a delete right', async () => {
    expect(await offered(answer, { mayDelete: false })).toEqual(['reply', 'edit', 'copy']);
  });
});
