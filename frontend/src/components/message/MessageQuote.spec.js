import { enableAutoUnmount, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useMessagesStore } from '../../stores/messages.js';
import MessageQuote from './MessageQuote.vue';

enableAutoUnmount(afterEach);

const quote = (props) => mount(MessageQuote, { props: { chatId: 1, ...props }, attachTo: document.body });

describe('MessageQuote', () => {
  it('names a quoted file by its kind when it has no text', () => {
    const wrapper = quote({ quote: { id: 'tg-1-3', from_bot: false, text: '', media_kind: 'voice' } });
    expect(wrapper.get('.quote__author').text()).toBe('Customer');
    expect(wrapper.get('.quote__text').text()).toBe('Voice message');
  });

  it('names the agent of a quoted answer', () => {
    useMessagesStore().byChat = { 1: [{ id: 'agent-x', type: 'AGENT', direction: 'out', text: 'Done', agent: { username: 'bo', name: 'Bo' }, date: 1 }] };
    const wrapper = quote({ quote: { message_id: 'agent-x', telegram_message_id: 4 } });
    expect(wrapper.text()).toBe('BoDone');
  });

  it('says "an earlier message" when the quoted one is not loaded', () => {
    expect(quote({ quote: { message_id: 'tg-1-1' } }).get('.quote__text').text()).toBe('An earlier message');
  });

  it('scrolls to the quoted bubble when clicked', async () => {
    const target = document.createElement('div');
    target.dataset.testid = 'message-bubble';
    target.dataset.messageId = 'tg-1-3';
    target.scrollIntoView = vi.fn();
    document.body.append(target);
    await quote({ quote: { id: 'tg-1-3', text: 'x' } }).get('button').trigger('click');
    expect(target.scrollIntoView).toHaveBeenCalled();
    expect(target.classList.contains('bubble--flash')).toBe(true);
    target.remove();
  });
});
