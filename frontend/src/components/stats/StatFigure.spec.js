import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import StatFigure from './StatFigure.vue';

describe('StatFigure', () => {
  it('shows the value over what it is, with its companion and its attributes', () => {
    const wrapper = mount(StatFigure, {
      props: { label: 'Open', value: '3' },
      attrs: { 'data-testid': 'stats-conversations', 'data-value': 3 },
      slots: { default: '<span class="companion">90 % within 3 min</span>' },
    });
    expect(wrapper.get('[data-testid="stat-value"]').text()).toBe('3');
    expect(wrapper.text()).toBe('3Open90 % within 3 min');
    expect(wrapper.attributes()).toMatchObject({ 'data-testid': 'stats-conversations', 'data-value': '3' });
    expect(wrapper.classes()).not.toContain('figure--muted');
  });

  it('is muted when not counted yet', () => {
    expect(mount(StatFigure, { props: { label: 'SLA breaches', value: '0', muted: true } }).classes()).toContain('figure--muted');
  });
});
