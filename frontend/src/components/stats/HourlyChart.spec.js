import { mount } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { i18n } from '../../i18n/index.js';
import { charts } from '../../test/fakeUplot.js';
import { HOUR_S } from './figures.js';
import HourlyChart from './HourlyChart.vue';

vi.mock('uplot', () => import('../../test/fakeUplot.js'));

const H = 1_764_748_800; // 08:00 UTC
const series = { hours: [H, H + HOUR_S, H + 2 * HOUR_S], counts: { CLIENT: [2, 0, 5], AGENT: [1, 0, 12345] } };
const label = (type) => i18n.global.t(`stats.type.${type}`);

function chart(props = {}) {
  return mount(HourlyChart, { props: { series, types: ['CLIENT', 'AGENT'], label, spanS: 86400, ...props }, attachTo: document.body });
}

describe('HourlyChart', () => {
  beforeEach(() => {
    charts.length = 0;
    document.documentElement.style.setProperty('--td-chart-1', '#111111');
    document.documentElement.style.setProperty('--td-chart-2', '#222222');
    document.documentElement.style.setProperty('--td-border', '#333333');
  });
  afterEach(() => document.documentElement.removeAttribute('style'));

  it('stacks each hour\'s types as bars in the middle of the hour, the first type at the bottom', () => {
    const wrapper = chart();
    const [drawn] = charts;
    expect(drawn.data).toEqual([[H + HOUR_S / 2, H + 1.5 * HOUR_S, H + 2.5 * HOUR_S], [3, 0, 12350], [2, 0, 5]]);
    // the tallest stack is drawn first and each lower one over it
    expect(drawn.opts.series.slice(1).map((s) => s.label)).toEqual(['Agents', 'Customers']);
    expect(drawn.opts.series[1].paths).toHaveProperty('bars');
    expect(drawn.opts.series.slice(1).map((s) => s.fill)).toEqual(['#222222', '#111111']);
    expect(drawn.opts.axes[0].grid.stroke).toBe('#333333');
    wrapper.unmount();
  });

  it('writes the counts axis and the hovered hour in the agent\'s language', async () => {
    const wrapper = chart();
    const [drawn] = charts;
    expect(drawn.opts.axes[1].values(drawn, [0, 12345])).toEqual(['0', '12,345']);
    drawn.opts.hooks.setCursor[0]({ cursor: { idx: 2 } });
    await wrapper.vm.$nextTick();
    const detail = wrapper.get('[data-testid="stats-hour-detail"]').text();
    expect(detail).toMatch(/ · Customers 5 · Agents 12,345$/);
    i18n.global.locale.value = 'es';
    await wrapper.vm.$nextTick();
    expect(charts.at(-1).opts.axes[1].values(drawn, [12345])).toEqual(['12.345']);
    wrapper.unmount();
  });

  it('lists the hours with messages in a table for screen readers', () => {
    const wrapper = chart();
    const rows = wrapper.findAll('[data-testid="stats-hour-row"]');
    expect(rows.map((row) => Number(row.attributes('data-hour')))).toEqual([H, H + 2 * HOUR_S]); // not the empty one
    expect(rows[1].findAll('td').map((cell) => cell.text())).toEqual(['5', '12,345']);
    expect(wrapper.find('thead').text()).toContain('Customers');
    wrapper.unmount();
  });

  it('draws again when the figures change, and lets the chart go when it leaves', async () => {
    const wrapper = chart();
    await wrapper.setProps({ series: { hours: [H], counts: { CLIENT: [7], AGENT: [0] } } });
    expect(charts).toHaveLength(2);
    expect(charts[0].destroyed).toBe(true);
    expect(charts[1].data).toEqual([[H + HOUR_S / 2], [7], [7]]);
    wrapper.unmount();
    expect(charts[1].destroyed).toBe(true);
  });
});
