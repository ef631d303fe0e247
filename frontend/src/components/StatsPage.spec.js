import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client.js';
import * as desk from '../api/desk.js';
import { i18n } from '../i18n/index.js';
import { charts } from '../test/fakeUplot.js';
import StatsPage from './StatsPage.vue';

vi.mock('../api/desk.js');
vi.mock('uplot', () => import('../test/fakeUplot.js'));

const H = 1_764_748_800;
// A known answer of GET /api/stats (teledesk/metrics/stats.py Stats).
const FIGURES = {
  window_s: 86400,
  messages: { CLIENT: 7, AGENT: 4, BOT: 1 },
  deliveries: { sent: 5, failed: { blocked: 1, bad_request: 2 } },
  first_response_s: { p50: 42, p90: 210 },
  resolution_s: { p50: null, p90: null },
  conversations: { open: 3, pending: 1, resolved: 12 },
  sla_breaches: 0,
  csat: { count: 0, average: null },
  hops_ms: { deliver: { p50: 220, p99: 1250 }, classify: { p50: 35.2, p99: 63 } },
  per_hour: [{ hour: H, messages: { CLIENT: 7, AGENT: 4, BOT: 1 } }],
  dead_letters: { deliver: 1 },
  as_of: H + 1800,
};
const EMPTY = {
  window_s: 3600, messages: {}, deliveries: { sent: 0, failed: {} }, first_response_s: { p50: null, p90: null },
  resolution_s: { p50: null, p90: null }, conversations: { open: 0, pending: 0, resolved: 0 }, sla_breaches: 0,
  csat: { count: 0, average: null }, hops_ms: {}, per_hour: [], dead_letters: {}, as_of: H,
};

async function page(answer = FIGURES) {
  charts.length = 0;
  desk.stats.mockResolvedValue(answer);
  const wrapper = mount(StatsPage, { attachTo: document.body });
  await flushPromises();
  return wrapper;
}

const shown = (wrapper, selector) => wrapper.get(selector).get('[data-testid="stat-value"]').text();
const rows = (wrapper, testid, attribute) => wrapper.findAll(`[data-testid="${testid}"]`)
  .map((row) => [row.attributes(attribute), row.attributes('data-value'), row.text()]);

describe('StatsPage', () => {
  it('shows a known answer\'s figures', async () => {
    const wrapper = await page();
    expect(desk.stats).toHaveBeenCalledWith('24h');
    expect(wrapper.get('[data-testid="stats-figures"]').attributes('data-window-s')).toBe('86400');
    expect(rows(wrapper, 'stats-message-count', 'data-type')).toEqual([
      ['CLIENT', '7', 'Customers7'], ['AGENT', '4', 'Agents4'], ['BOT', '1', 'Bot1'],
    ]);
    expect(charts).toHaveLength(1);
    expect(shown(wrapper, '[data-testid="stats-conversations"][data-status="open"]')).toBe('3');
    expect(shown(wrapper, '[data-testid="stats-conversations"][data-status="pending"]')).toBe('1');
    expect(shown(wrapper, '[data-testid="stats-conversations"][data-status="resolved"]')).toBe('12');
    const first = wrapper.get('[data-testid="stats-time"][data-metric="first_response"]');
    expect(first.text()).toBe('42 secFirst response · median90 % within 3.5 min');
    expect(wrapper.get('[data-testid="stats-time"][data-metric="resolution"]').text()).toContain('—');
    expect(shown(wrapper, '[data-testid="stats-sent"]')).toBe('5');
    expect(shown(wrapper, '[data-testid="stats-failed"]')).toBe('3');
    expect(rows(wrapper, 'stats-failure', 'data-cause')).toEqual([
      ['bad_request', '2', 'Refused by Telegram2'], ['blocked', '1', 'Blocked by the customer1'],
    ]);
    expect(wrapper.findAll('[data-testid="stats-hop"]').map((row) => row.findAll('th, td').map((c) => c.text())))
      .toEqual([['Classify', '35 ms', '63 ms'], ['Deliver to Telegram', '220 ms', '1.3 sec']]);
    expect(rows(wrapper, 'stats-dead-letter', 'data-step')).toEqual([['deliver', '1', 'Deliver to Telegram1']]);
    expect(wrapper.get('[data-testid="stats-as-of"]').text()).toMatch(/^Figures as of /);
    wrapper.unmount();
  });

  it('shows SLA breaches and satisfaction as 0 and none, muted, with why, until the lifecycle counts them', async () => {
    const before = await page();
    expect(shown(before, '[data-testid="stats-sla"]')).toBe('0');
    expect(shown(before, '[data-testid="stats-csat"]')).toBe('none');
    expect(before.get('[data-testid="stats-sla"]').classes()).toContain('figure--muted');
    expect(before.get('[data-testid="stats-lifecycle-hint"]').text()).toContain('conversation lifecycle');
    before.unmount();

    const after = await page({ ...FIGURES, sla_breaches: 2, csat: { count: 3, average: 4.333 } });
    expect(shown(after, '[data-testid="stats-sla"]')).toBe('2');
    expect(shown(after, '[data-testid="stats-csat"]')).toBe('4.3 / 5 · 3 ratings');
    expect(after.get('[data-testid="stats-csat"]').classes()).not.toContain('figure--muted');
    expect(after.find('[data-testid="stats-lifecycle-hint"]').exists()).toBe(false);
    after.unmount();
  });

  it('says when a window has nothing to show', async () => {
    const wrapper = await page(EMPTY);
    for (const empty of ['stats-messages-empty', 'stats-failures-empty', 'stats-hops-empty', 'stats-dead-letters-empty']) {
      expect(wrapper.find(`[data-testid="${empty}"]`).exists(), empty).toBe(true);
    }
    expect(charts).toHaveLength(0);
    expect(wrapper.get('[data-testid="stats-time"][data-metric="first_response"]').attributes('title')).toBe('none yet');
    wrapper.unmount();
  });

  it('asks for the window picked, and again on refresh', async () => {
    const wrapper = await page();
    const choice = (span) => wrapper.get(`[data-testid="stats-window"][data-window="${span}"]`);
    expect(choice('24h').attributes('aria-pressed')).toBe('true');
    desk.stats.mockResolvedValue({ ...FIGURES, window_s: 604800, messages: { CLIENT: 70 } });
    await choice('7d').trigger('click');
    await flushPromises();
    expect(desk.stats).toHaveBeenLastCalledWith('7d');
    expect(choice('7d').attributes('aria-pressed')).toBe('true');
    expect(choice('24h').attributes('aria-pressed')).toBe('false');
    expect(rows(wrapper, 'stats-message-count', 'data-type')[0]).toEqual(['CLIENT', '70', 'Customers70']);
    await wrapper.get('[data-testid="stats-refresh"]').trigger('click');
    await flushPromises();
    expect(desk.stats).toHaveBeenCalledTimes(3);
    expect(desk.stats).toHaveBeenLastCalledWith('7d');
    wrapper.unmount();
  });

  it('says it is loading until the first answer', async () => {
    desk.stats.mockReturnValue(new Promise(() => {}));
    const wrapper = mount(StatsPage);
    await flushPromises();
    expect(wrapper.get('[data-testid="stats-loading"]').text()).toBe('Loading the figures…');
    expect(wrapper.find('[data-testid="stats-figures"]').exists()).toBe(false);
    wrapper.unmount();
  });

  it('says why the figures could not be had', async () => {
    desk.stats.mockRejectedValue(new ApiError(500, 'internal server error'));
    const wrapper = mount(StatsPage);
    await flushPromises();
    expect(wrapper.get('[data-testid="stats-error"]').text()).toBe('Could not load the figures: internal server error');
    expect(wrapper.find('[data-testid="stats-figures"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="stats-loading"]').exists()).toBe(false);
    wrapper.unmount();
  });

  it('speaks Spanish, names the relay does not know of included as they come', async () => {
    i18n.global.locale.value = 'es';
    const wrapper = await page({
      ...FIGURES,
      messages: { CLIENT: 7, NEW_KIND: 2 },
      per_hour: [{ hour: H, messages: { CLIENT: 7, NEW_KIND: 2 } }],
      deliveries: { sent: 1234, failed: { blocked: 1, new_cause: 1 } },
    });
    expect(wrapper.get('[role="dialog"] h2').text()).toBe('Estadísticas');
    expect(wrapper.get('[data-testid="stats-window"][data-window="7d"]').text()).toBe('Últimos 7 días');
    expect(rows(wrapper, 'stats-message-count', 'data-type').map(([, , text]) => text)).toEqual(['Clientes7', 'NEW_KIND2']);
    expect(shown(wrapper, '[data-testid="stats-sent"]')).toBe('1234');
    expect(rows(wrapper, 'stats-failure', 'data-cause').map(([, , text]) => text))
      .toEqual(['Bloqueado por el cliente1', 'new_cause1']);
    expect(wrapper.get('[data-testid="stats-conversations"][data-status="open"]').text()).toBe('3Abiertas');
    expect(wrapper.get('[data-testid="stats-time"][data-metric="first_response"]').text()).toContain('Primera respuesta · mediana');
    expect(shown(wrapper, '[data-testid="stats-csat"]')).toBe('ninguna');
    expect(wrapper.findAll('[data-testid="stats-hop"]').map((row) => row.get('th').text()))
      .toEqual(['Clasificación', 'Envío a Telegram']);
    wrapper.unmount();
  });
});
