import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import SearchBox from './SearchBox.vue';

describe('SearchBox', () => {
  it('is a labelled search input that reports what is typed', async () => {
    const wrapper = mount(SearchBox, { props: { modelValue: '' } });
    const input = wrapper.get('[data-testid="chat-search"]');
    expect(input.attributes('type')).toBe('search');
    expect(input.attributes('aria-label')).toBe('Search chats and messages');
    expect(input.attributes('placeholder')).toBe('Search');
    await input.setValue('ana');
    expect(wrapper.emitted('update:modelValue')).toEqual([['ana']]);
  });

  it('empties on Escape, then lets go of the focus', async () => {
    const wrapper = mount(SearchBox, { props: { modelValue: 'ana' }, attachTo: document.body });
    const input = wrapper.get('input');
    input.element.focus();
    await input.trigger('keydown', { key: 'Escape' });
    expect(wrapper.emitted('update:modelValue')).toEqual([['']]);
    await wrapper.setProps({ modelValue: '' });
    await input.trigger('keydown', { key: 'Escape' });
    expect(document.activeElement).not.toBe(input.element);
    wrapper.unmount();
  });

  it('uses up the Escape that empties it, so the shell does not also close a panel', () => {
    const wrapper = mount(SearchBox, { props: { modelValue: 'ana' }, attachTo: document.body });
    const input = wrapper.get('input').element;
    const emptying = new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true });
    input.dispatchEvent(emptying);
    expect(emptying.defaultPrevented).toBe(true);
    wrapper.unmount();
  });

  it('lets the Escape of an empty box through to the shell', () => {
    const wrapper = mount(SearchBox, { props: { modelValue: '' }, attachTo: document.body });
    const leaving = new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true });
    wrapper.get('input').element.dispatchEvent(leaving);
    expect(leaving.defaultPrevented).toBe(false);
    wrapper.unmount();
  });

  it('can be focused from outside (Ctrl+K)', () => {
    const wrapper = mount(SearchBox, { attachTo: document.body });
    wrapper.vm.focus();
    expect(document.activeElement).toBe(wrapper.get('input').element);
    wrapper.unmount();
  });
});
