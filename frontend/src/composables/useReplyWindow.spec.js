import { enableAutoUnmount, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defineComponent, h, nextTick, ref } from 'vue';
import { BUSINESS_REPLY_WINDOW_S } from '../api/rules.js';
import { useBusinessStore } from '../stores/business.js';
import { conversation } from '../test/fixtures.js';
import { NOW, fakeClock, tick } from '../test/lifecycle.js';
import { REFUSALS } from '../utils/business.js';
import { useReplyWindow } from './useReplyWindow.js';

enableAutoUnmount(afterEach);

const KEY = -6755399441055745;
const acme = (overrides = {}) => ({
  id: 'conn-1', user: { id: 7, first_name: 'Acme', last_name: 'Support' }, is_enabled: true,
  rights: { can_reply: true }, ...overrides,
});
const businessChat = (wroteAgo, overrides = {}) => conversation(KEY, {
  business: { connection_id: 'conn-1', chat_id: 42, customer_wrote_at: NOW - wroteAgo }, ...overrides,
});

/** The composable in a mounted component, over a conversation the test may replace. */
function windowOf(start) {
  const held = ref(start);
  let found;
  mount(defineComponent({
    setup() {
      found = useReplyWindow(held);
      return () => h('span');
    },
  }));
  return { found, held };
}

describe('useReplyWindow', () => {
  fakeClock();

  it('counts down the 24 hours from the customer\'s last message, every second', async () => {
    useBusinessStore().upsert(acme());
    const { found } = windowOf(businessChat(60));
    expect(found.closesAt.value).toBe(NOW - 60 + BUSINESS_REPLY_WINDOW_S);
    expect(found.left.value).toBe(BUSINESS_REPLY_WINDOW_S - 60);
    expect(found.refusal.value).toBeNull();
    expect(found.account.value).toBe('Acme Support');
    await tick(1);
    expect(found.left.value).toBe(BUSINESS_REPLY_WINDOW_S - 61);
  });

  it('refuses once the window closes, and lets go of the clock', async () => {
    useBusinessStore().upsert(acme());
    const { found } = windowOf(businessChat(BUSINESS_REPLY_WINDOW_S - 2));
    expect(found.refusal.value).toBeNull();
    expect(vi.getTimerCount()).toBe(1);
    await tick(2);
    expect(found.left.value).toBe(0);
    expect(found.refusal.value).toBe(REFUSALS.windowClosed);
    await nextTick();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('opens again when the customer writes again', async () => {
    const { found, held } = windowOf(businessChat(BUSINESS_REPLY_WINDOW_S + 10));
    expect(found.refusal.value).toBe(REFUSALS.windowClosed);
    expect(vi.getTimerCount()).toBe(0);
    held.value = businessChat(0);
    await nextTick();
    expect(found.refusal.value).toBeNull();
    expect(found.left.value).toBe(BUSINESS_REPLY_WINDOW_S);
    expect(vi.getTimerCount()).toBe(1);
  });

  it('says why from the connection: turned off (read-only), or no can_reply', async () => {
    const business = useBusinessStore();
    business.upsert(acme({ rights: {} }));
    const { found } = windowOf(businessChat(60));
    expect(found.refusal.value).toBe(REFUSALS.noReply);
    expect(found.readOnly.value).toBe(false);
    business.upsert(acme({ is_enabled: false }));
    await nextTick();
    expect(found.refusal.value).toBe(REFUSALS.disabled);
    expect(found.readOnly.value).toBe(true);
  });

  it('lets delete a sent answer only with a delete right', async () => {
    const business = useBusinessStore();
    business.upsert(acme());
    const { found } = windowOf(businessChat(60));
    expect(found.mayDelete.value).toBe(false);
    business.upsert(acme({ rights: { can_reply: true, can_delete_sent_messages: true } }));
    await nextTick();
    expect(found.mayDelete.value).toBe(true);
  });

  it('leaves a chat with the bot alone: no window, no refusal, no clock', () => {
    const { found } = windowOf(conversation(5));
    expect([found.business.value, found.closesAt.value, found.left.value, found.refusal.value])
      .toEqual([null, null, null, null]);
    expect([found.readOnly.value, found.mayDelete.value]).toEqual([false, true]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('judges a connection it has not heard of by the window only', () => {
    const { found } = windowOf(businessChat(60));
    expect(found.connection.value).toBeNull();
    expect(found.refusal.value).toBeNull();
    expect(found.mayDelete.value).toBe(false);
    expect(found.account.value).toBe('');
  });
});
