import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import ChatTabs from './ChatTabs.vue';

const tabs = (wrapper) => wrapper.findAll('[data-testid="chat-tab"]');

describe('ChatTabs', () => {
  it('shows the seven tabs with their counts, the chosen one selected', () => {
    const wrapper = mount(ChatTabs, { props: { modelValue: 'open', counts: { open: 4, all: 9 }, controls: 'list' } });
    expect(tabs(wrapper).map((tab) => tab.attributes('data-tab')))
      .toEqual(['all', 'mine', 'unassigned', 'breached', 'open', 'pending', 'resolved']);
    const shown = (tab) => `${tab.get('.tabs__label').text()} ${tab.get('[data-testid="chat-tab-count"]').text()}`;
    expect(tabs(wrapper).map(shown)).toEqual(['All 9', 'Mine 0', 'Unassigned 0', 'Breached 0', 'Open 4', 'Pending 0', 'Resolved 0']);
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

  it('sets the queues over the statuses, in two rows', () => {
    const wrapper = mount(ChatTabs, { props: { modelValue: 'all' } });
    const rows = wrapper.findAll('.tabs__row').map((row) => row.findAll('[role="tab"]').map((tab) => tab.attributes('data-tab')));
    expect(rows).toEqual([['all', 'mine', 'unassigned', 'breached'], ['open', 'pending', 'resolved']]);
    expect(wrapper.findAll('.tabs__row').every((row) => row.attributes('role') === 'none')).toBe(true);
  });

  it('counts the breached queue in the danger colour only while it holds any', async () => {
    const wrapper = mount(ChatTabs, { props: { modelValue: 'all', counts: { breached: 0, open: 3 } } });
    const count = (tab) => wrapper.get(`[data-tab="${tab}"] [data-testid="chat-tab-count"]`);
    expect(count('breached').classes()).not.toContain('tabs__count--alert');
    await wrapper.setProps({ counts: { breached: 2, open: 3 } });
    expect(count('breached').text()).toBe('2');
    expect(count('breached').attributes('aria-label')).toBe('2 conversations');
    expect(count('breached').classes()).toContain('tabs__count--alert');
    expect(count('open').classes()).not.toContain('tabs__count--alert');
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

  it('walks through Breached with the arrows, between the queues and the statuses', async () => {
    const wrapper = mount(ChatTabs, { props: { modelValue: 'unassigned' }, attachTo: document.body });
    await wrapper.get('[role="tablist"]').trigger('keydown', { key: 'ArrowRight' });
    expect(wrapper.emitted('update:modelValue')).toEqual([['breached']]);
    expect(document.activeElement.dataset.tab).toBe('breached');
    await wrapper.setProps({ modelValue: 'breached' });
    expect(wrapper.get('[data-tab="breached"]').attributes('tabindex')).toBe('0');
    await wrapper.get('[role="tablist"]').trigger('keydown', { key: 'ArrowRight' });
    expect(wrapper.emitted('update:modelValue')[1]).toEqual(['open']);
    expect(document.activeElement.dataset.tab).toBe('open');
    await wrapper.get('[data-tab="breached"]').trigger('click');
    expect(wrapper.emitted('update:modelValue')[2]).toEqual(['breached']);
    wrapper.unmount();
  });

  it('speaks Spanish too', async () => {
    const wrapper = mount(ChatTabs, { props: { modelValue: 'all' } });
    wrapper.vm.$i18n.locale = 'es';
    await wrapper.vm.$nextTick();
    expect(wrapper.get('[data-tab="mine"] .tabs__label').text()).toBe('Mías');
    expect(wrapper.get('[data-tab="breached"] .tabs__label').text()).toBe('Vencidas');
    expect(wrapper.get('[data-tab="breached"] [data-testid="chat-tab-count"]').attributes('aria-label')).toBe('0 conversaciones');
  });
});
