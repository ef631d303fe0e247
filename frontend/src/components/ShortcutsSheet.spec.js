import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import ShortcutsSheet from './ShortcutsSheet.vue';

describe('ShortcutsSheet', () => {
  it('lists every shortcut of the console', () => {
    const wrapper = mount(ShortcutsSheet);
    const sheet = wrapper.get('[data-testid="shortcuts-sheet"]');
    expect(sheet.attributes('role')).toBe('dialog');
    expect(sheet.findAll('kbd').map((k) => k.text())).toEqual(['Enter', 'Shift + Enter', '/', 'Ctrl + K', 'Alt + ↑', 'Alt + ↓', 'Esc', '?']);
    expect(sheet.get('[data-shortcut="shiftEnter"] dd').text()).toBe('New line in the message');
  });

  it('closes from its button', async () => {
    const wrapper = mount(ShortcutsSheet);
    await wrapper.get('[data-testid="shortcuts-close"]').trigger('click');
    expect(wrapper.emitted('close')).toHaveLength(1);
  });
});
