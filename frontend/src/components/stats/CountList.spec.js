import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { i18n } from '../../i18n/index.js';
import CountList from './CountList.vue';

const list = (rows, props = {}) => mount(CountList, {
  props: { rows, rowTestid: 'stats-failure', nameAttribute: 'cause', empty: 'Nothing here.', emptyTestid: 'none', ...props },
});

describe('CountList', () => {
  it('lists each count with its name, a bar as long as its share of the largest, and the raw figures', () => {
    const wrapper = list([
      { name: 'blocked', label: 'Blocked by the customer', value: 4 },
      { name: 'new_cause', label: 'new_cause', value: 1234, colour: '--td-chart-3' },
    ]);
    const rows = wrapper.findAll('[data-testid="stats-failure"]');
    expect(rows.map((row) => [row.attributes('data-cause'), row.attributes('data-value'), row.text()]))
      .toEqual([['blocked', '4', 'Blocked by the customer4'], ['new_cause', '1234', 'new_cause1,234']]);
    const fills = wrapper.findAll('.counts__fill').map((fill) => fill.attributes('style'));
    expect(fills[0]).toContain('width: 0%'); // 4 of 1234 rounds to 0 (drawn 2 px wide)
    expect(fills[0]).toContain('var(--td-accent)');
    expect(fills[1]).toContain('width: 100%');
    expect(fills[1]).toContain('var(--td-chart-3)');
    expect(rows[0].attributes('title')).toBe('blocked'); // the name as sent, where the label is a translation
    expect(rows[1].attributes('title')).toBeUndefined();
  });

  it('writes the counts in the agent\'s language', () => {
    i18n.global.locale.value = 'es';
    expect(list([{ name: 'AGENT', label: 'Agentes', value: 12345 }]).get('.counts__value').text()).toBe('12.345');
  });

  it('says so when there is nothing to count', () => {
    const wrapper = list([]);
    expect(wrapper.find('ul').exists()).toBe(false);
    expect(wrapper.get('[data-testid="none"]').text()).toBe('Nothing here.');
  });
});
