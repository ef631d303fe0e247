import { enableAutoUnmount, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BUSINESS_REPLY_WINDOW_S } from '../../api/rules.js';
import { i18n } from '../../i18n/index.js';
import { conversation } from '../../test/fixtures.js';
import { NOW, fakeClock, tick } from '../../test/lifecycle.js';
import ReplyWindowBadge from './ReplyWindowBadge.vue';

enableAutoUnmount(afterEach);

const KEY = -6755399441055745;
const wroteAgo = (seconds) => conversation(KEY, {
  business: { connection_id: 'conn-1', chat_id: 42, customer_wrote_at: NOW - seconds },
});
const badge = (chat, compact = false) => mount(ReplyWindowBadge, { props: { conversation: chat, compact } });
const shown = (wrapper) => wrapper.find('[data-testid="reply-window"]');

describe('ReplyWindowBadge', () => {
  fakeClock();

  it('counts down the 24 hours to answer in, every second', async () => {
    const wrapper = badge(wroteAgo(60));
    const window = shown(wrapper);
    expect(window.attributes('data-state')).toBe('open');
    expect(window.text()).toBe('Reply within 23 h 59 m');
    expect(window.attributes('data-left')).toBe(String(BUSINESS_REPLY_WINDOW_S - 60));
    expect(window.attributes('title')).toMatch(/^Telegram takes answers in this chat until /);
    await tick(1);
    expect(window.attributes('data-left')).toBe(String(BUSINESS_REPLY_WINDOW_S - 61));
  });

  it('shows the last hour in minutes and seconds, then closes', async () => {
    const wrapper = badge(wroteAgo(BUSINESS_REPLY_WINDOW_S - 90));
    expect(shown(wrapper).text()).toBe('Reply within 1:30');
    await tick(89);
    expect(shown(wrapper).text()).toBe('Reply within 0:01');
    await tick(1);
    expect(shown(wrapper).attributes('data-state')).toBe('closed');
    expect(shown(wrapper).text()).toBe('Reply window closed');
    expect(shown(wrapper).classes()).toContain('pill--warning');
    expect(shown(wrapper).attributes('title')).toMatch(/more than 24 hours ago/);
  });

  it('is closed when the customer never wrote, and holds no clock', () => {
    const wrapper = badge(conversation(KEY, { business: { connection_id: 'conn-1', chat_id: 42 } }));
    expect(shown(wrapper).attributes('data-state')).toBe('closed');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('is the time alone in the chat list', () => {
    expect(shown(badge(wroteAgo(60), true)).text()).toBe('23 h 59 m');
    expect(shown(badge(wroteAgo(BUSINESS_REPLY_WINDOW_S), true)).text()).toBe('Closed');
  });

  it('shows nothing on a chat with the bot', () => {
    expect(shown(badge(conversation(5))).exists()).toBe(false);
  });

  it('speaks Spanish', () => {
    i18n.global.locale.value = 'es';
    expect(shown(badge(wroteAgo(60))).text()).toBe('Responder en 23 h 59 m');
    expect(shown(badge(wroteAgo(BUSINESS_REPLY_WINDOW_S + 1))).text()).toBe('Plazo de respuesta cerrado');
  });
});
