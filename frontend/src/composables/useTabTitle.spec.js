import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { defineComponent, h, ref, watch } from 'vue';
import { useAttentionStore } from '../stores/attention.js';
import { useConversationsStore } from '../stores/conversations.js';
import { useThemeStore } from '../stores/theme.js';
import { conversation } from '../test/fixtures.js';
import { titleFor, useTabTitle } from './useTabTitle.js';

const host = (options, before = () => {}) => mount(defineComponent({
  setup() {
    before();
    useTabTitle(options);
    return () => h('div');
  },
}));

describe('tab title', () => {
  it('puts the unread count before the name', () => {
    expect(titleFor('teledesk', 0)).toBe('teledesk');
    expect(titleFor('Acme', 12)).toBe('(12) Acme');
  });

  it('follows the unread total of every conversation, live', async () => {
    const conversations = useConversationsStore();
    conversations.upsert(conversation(1, { unread: 2 }));
    const wrapper = host();
    expect(document.title).toBe('(2) teledesk');
    conversations.upsert(conversation(2, { unread: 3, updated_at: 200 }));
    await wrapper.vm.$nextTick();
    expect(document.title).toBe('(5) teledesk');
    conversations.upsert(conversation(1, { unread: 0, updated_at: 300 }));
    conversations.upsert(conversation(2, { unread: 0, updated_at: 300 }));
    await wrapper.vm.$nextTick();
    expect(document.title).toBe('teledesk');
  });

  it('uses the name given, keeps the count off when the agent says so, and resets on unmount', async () => {
    const name = ref('Acme Soporte');
    useConversationsStore().upsert(conversation(1, { unread: 4 }));
    const wrapper = host({ name });
    expect(document.title).toBe('(4) Acme Soporte');
    useAttentionStore().set('title', false);
    await wrapper.vm.$nextTick();
    expect(document.title).toBe('Acme Soporte');
    useAttentionStore().set('title', true);
    name.value = '';
    await wrapper.vm.$nextTick();
    expect(document.title).toBe('(4) teledesk');
    wrapper.unmount();
    expect(document.title).toBe('teledesk');
  });

  it('carries the organisation\'s name from the theme, and keeps the count when it arrives', async () => {
    useConversationsStore().upsert(conversation(1, { unread: 1 }));
    // as useTheme does: the plain name, set by a watcher that runs before ours
    const plainName = () => watch(() => useThemeStore().name, (name) => { document.title = name; });
    const wrapper = host({}, plainName);
    useThemeStore().name = 'Acme Soporte';
    await wrapper.vm.$nextTick();
    expect(document.title).toBe('(1) Acme Soporte');
  });
});
