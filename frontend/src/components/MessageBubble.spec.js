import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import MessageBubble from './MessageBubble.vue';

const HOSTILE = '<img src=x onerror=alert(1)><script>alert(2)</script>';

const message = (overrides = {}) => ({
  id: 'tg-1-10',
  type: 'CLIENT',
  chat_id: 1,
  date: 1763650000,
  text: 'Hola',
  media: null,
  customer: { id: 1, first_name: 'Ana' },
  direction: 'in',
  ...overrides,
});

const bubble = (m) => mount(MessageBubble, { props: { message: m } });

describe('MessageBubble', () => {
  it('renders a customer message on the left with its hooks', () => {
    const wrapper = bubble(message());
    const root = wrapper.get('[data-testid="message-bubble"]');
    expect(root.attributes()).toMatchObject({ 'data-message-id': 'tg-1-10', 'data-direction': 'in' });
    expect(root.classes()).toContain('bubble--in');
    expect(wrapper.get('[data-testid="message-text"]').text()).toBe('Hola');
    expect(wrapper.find('[data-testid="delivery-state"]').exists()).toBe(false);
    expect(wrapper.get('time').text()).toMatch(/\d{1,2}:\d{2}/);
  });

  it('renders hostile text literally, never as markup', () => {
    const wrapper = bubble(message({ text: HOSTILE, customer: { first_name: HOSTILE } }));
    expect(wrapper.get('[data-testid="message-text"]').text()).toBe(HOSTILE);
    expect(wrapper.find('img').exists()).toBe(false);
    expect(wrapper.find('script').exists()).toBe(false);
    expect(wrapper.get('[data-testid="message-text"]').element.innerHTML).toContain('&lt;img');
  });

  it('keeps line breaks of multi-line text', () => {
    const wrapper = bubble(message({ text: 'one\ntwo' }));
    expect(wrapper.get('[data-testid="message-text"]').element.textContent).toBe('one\ntwo');
  });

  it('renders an agent answer on the right with its tick and author', () => {
    const wrapper = bubble(message({
      id: 'agent-abc12345', type: 'AGENT', direction: 'out', text: HOSTILE,
      agent: { username: 'ana', name: 'Ana' }, delivery: { state: 'sent' },
    }));
    const root = wrapper.get('[data-testid="message-bubble"]');
    expect(root.attributes('data-direction')).toBe('out');
    expect(root.classes()).toContain('bubble--out');
    expect(wrapper.get('.bubble__sender').text()).toBe('Ana');
    expect(wrapper.get('[data-testid="delivery-state"]').attributes('data-state')).toBe('sent');
    expect(wrapper.get('[data-testid="message-text"]').text()).toBe(HOSTILE);
  });

  it('uses the client id until the server gives an id', () => {
    const wrapper = bubble(message({ id: null, client_id: 'c-12345678', direction: 'out', type: 'AGENT', delivery: { state: 'queued' } }));
    expect(wrapper.get('[data-testid="message-bubble"]').attributes('data-message-id')).toBe('c-12345678');
    expect(wrapper.get('[data-testid="delivery-state"]').attributes('data-state')).toBe('queued');
  });

  it('shows why a message failed', () => {
    const wrapper = bubble(message({
      type: 'AGENT', direction: 'out', delivery: { state: 'failed', reason: '<b>blocked</b>' },
    }));
    expect(wrapper.get('[data-testid="delivery-state"]').attributes('data-state')).toBe('failed');
    expect(wrapper.get('[data-testid="delivery-reason"]').text()).toBe('Not delivered: <b>blocked</b>');
    expect(wrapper.find('b').exists()).toBe(false);
  });

  it('shows media with a label, and only links the relay\'s own URLs', () => {
    const photo = bubble(message({ text: 'look', media: { kind: 'photo', url: '/api/media/1/abc' } }));
    expect(photo.get('img').attributes()).toMatchObject({ src: '/api/media/1/abc', alt: 'Photo' });
    const hostile = bubble(message({ text: '', media: { kind: 'document', url: 'javascript:alert(1)' } }));
    expect(hostile.find('a').exists()).toBe(false);
    expect(hostile.get('.bubble__file').text()).toBe('File');
    const odd = bubble(message({ text: '', media: { kind: 'hologram' } }));
    expect(odd.get('.bubble__file').text()).toBe('Attachment');
  });

  it('labels messages that are not plain chat', () => {
    expect(bubble(message({ type: 'BOT', direction: 'out' })).get('.bubble__sender').text()).toBe('Bot');
    const unsupported = bubble(message({ type: 'UNSUPPORTED', text: '' }));
    expect(unsupported.get('[data-testid="message-text"]').text()).toBe('Unsupported message');
    const member = bubble(message({ type: 'MEMBER', text: '' }));
    expect(member.get('[data-testid="message-bubble"]').classes()).toContain('bubble--service');
  });
});
