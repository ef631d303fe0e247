import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import DeskField from './DeskField.vue';

describe('DeskField', () => {
  it('labels the control it holds, so a click on the label reaches it', () => {
    const wrapper = mount(DeskField, {
      props: { label: 'Username' },
      slots: { default: '<input class="td-input" name="username" />' },
    });
    const label = wrapper.get('label');
    expect(label.classes()).toContain('td-field');
    expect(label.get('.td-field__label').text()).toBe('Username');
    expect(label.get('input').attributes('name')).toBe('username');
    expect(label.element.control).toBe(label.get('input').element);
  });

  it('shows its label as text', () => {
    const wrapper = mount(DeskField, { props: { label: '<b>Name</b>' }, slots: { default: '<input />' } });
    expect(wrapper.find('b').exists()).toBe(false);
    expect(wrapper.get('.td-field__label').text()).toBe('<b>Name</b>');
  });
});
