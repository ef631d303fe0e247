import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import StatsSection from './StatsSection.vue';

describe('StatsSection', () => {
  it('is a section headed by its title, holding what it is given', () => {
    const wrapper = mount(StatsSection, {
      props: { title: 'Deliveries' }, attrs: { 'data-testid': 'stats-deliveries' }, slots: { default: '<p>5 sent</p>' },
    });
    expect(wrapper.element.tagName).toBe('SECTION');
    expect(wrapper.attributes('data-testid')).toBe('stats-deliveries');
    expect(wrapper.get('h3').text()).toBe('Deliveries');
    expect(wrapper.get('p').text()).toBe('5 sent');
  });
});
