import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import CannedSuggestions from './CannedSuggestions.vue';

const ITEMS = [
  { id: 'c1', shortcut: 'hello', text: 'Hello <there>' },
  { id: 'c2', shortcut: 'hours', text: 'We open 9 to 5.' },
];

describe('CannedSuggestions', () => {
  it('lists shortcuts and texts as options, the active one selected', () => {
    const wrapper = mount(CannedSuggestions, { props: { items: ITEMS, active: 1, listId: 'canned-7' } });
    const list = wrapper.get('[data-testid="canned-suggestions"]');
    expect(list.attributes('role')).toBe('listbox');
    const options = wrapper.findAll('[data-testid="canned-option"]');
    expect(options.map((o) => o.attributes('id'))).toEqual(['canned-7-0', 'canned-7-1']);
    expect(options.map((o) => o.attributes('aria-selected'))).toEqual(['false', 'true']);
    expect(options[0].text()).toContain('/hello');
    expect(options[0].text()).toContain('Hello <there>');
  });

  it('emits the item clicked, and the one hovered', async () => {
    const wrapper = mount(CannedSuggestions, { props: { items: ITEMS, listId: 'x' } });
    const second = wrapper.findAll('[data-testid="canned-option"]')[1];
    await second.trigger('mouseenter');
    await second.trigger('click');
    expect(wrapper.emitted('hover')).toEqual([[1]]);
    expect(wrapper.emitted('choose')).toEqual([[ITEMS[1]]]);
  });
});
