import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import ChatTabs from './ChatTabs.vue';

const tabs = (wrapper) => wrapper.findAll('[data-testid="chat-tab"]');

describe('ChatTabs', () => {
  it('shows the six tabs with their counts, the chosen one selected', () => {
    const wrapper = mount(ChatTabs, { props: { modelValue: 'open', counts: { open: 4, all: 9 }, controls: 'list' } });
    expect(tabs(wrapper).map((tab) => tab.attributes('data-tab')))
      .toEqual(['all', 'mine', 'unassigned', 'open', 'pending', 'resolved']);
    const shown = (tab) => `${tab.get('.tabs__label').text()} ${tab.get('[data-testid="chat-tab-count"]').text()}`;
    expect(tabs(wrapper).map(shown)).toEqual(['All 9', 'Mine 0', 'Unassigned 0', 'Open 4', 'Pending 0', 'Resolved 0']);
    const open = wrapper.get('[data-tab="open"]');
    expect(open.attributes('role')).toBe('tab');
    expect(open.attributes('aria-selected')).toBe('true');
    expect(open.attributes('tabindex')).toBe('0');
    expect(open.attributes('aria-controls')).toBe('list');
    expect(open.get('[data-testid="chat-tab-count"]').attributes('aria-label')).toBe('4 conversations');
    expect(wrapper.get('[data-tab="all"]').attributes('aria-selected')).toBe('false');
    expect(wrapper.get('[data-tab="all"]').attributes('tabindex')).toBe('-1');
    expect(wrapper.get('[role="tablist"]').attributes('aria-label')).toBe('Show conversations');
  });

  it('picks a tab on click', async () => {
    const wrapper = mount(ChatTabs, { props: { modelValue: 'all' } });
    await wrapper.get('[data-tab="pending"]').trigger('click');
    expect(wrapper.emitted('update:modelValue')).toEqual([['pending']]);
  });

  it('moves with the arrows, Home and End, wrapping around', async () => {
    const wrapper = mount(ChatTabs, { props: { modelValue: 'all' }, attachTo: document.body });
    const list = wrapper.get('[role="tablist"]');
    await list.trigger('keydown', { key: 'ArrowLeft' });
    await list.trigger('keydown', { key: 'ArrowRight' });
    await list.trigger('keydown', { key: 'Home' });
    await list.trigger('keydown', { key: 'End' });
    await list.trigger('keydown', { key: 'a' });
    expect(wrapper.emitted('update:modelValue')).toEqual([['resolved'], ['mine'], ['all'], ['resolved']]);
    expect(document.activeElement.dataset.tab).toBe('resolved');
    wrapper.unmount();
  });

  it('speaks Spanish too', async () => {
    const wrapper = mount(ChatTabs, { props: { modelValue: 'all' } });
    wrapper.vm.$i18n.locale = 'es';
    await wrapper.vm.$nextTick();
    expect(wrapper.get('[data-tab="mine"] .tabs__label').text()).toBe('Mías');
  });
});
