import { enableAutoUnmount, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { i18n } from '../../i18n/index.js';
import { conversation } from '../../test/fixtures.js';
import { NOW, fakeClock, tick } from '../../test/lifecycle.js';
import SlaBadge from './SlaBadge.vue';

enableAutoUnmount(afterEach);

const badge = (overrides) => mount(SlaBadge, { props: { conversation: conversation(1, overrides) } });
const shown = (wrapper) => wrapper.find('[data-testid="sla-badge"]');

describe('SlaBadge', () => {
  fakeClock();

  it('counts down the time left to the first answer, every second', async () => {
    const wrapper = badge({ sla_due_at: NOW + 300 });
    const sla = shown(wrapper);
    expect(sla.attributes('data-sla')).toBe('due');
    expect(sla.attributes('data-left')).toBe('300');
    expect(sla.text()).toBe('SLA in 5:00');
    await tick(1);
    expect(sla.text()).toBe('SLA in 4:59');
    expect(sla.attributes('data-left')).toBe('299');
    await tick(240);
    expect(sla.text()).toBe('SLA in 0:59');
    expect(sla.attributes('title')).toMatch(/^First answer due by /);
  });

  it('shows a long one in hours and minutes', async () => {
    const wrapper = badge({ sla_due_at: NOW + 3720.4 });
    expect(shown(wrapper).text()).toBe('SLA in 1 h 03 m');
    await tick(1);
    expect(shown(wrapper).text()).toBe('SLA in 1 h 02 m');
  });

  it('says "due now" at 0 until the relay says breached, never a negative time', async () => {
    const wrapper = badge({ sla_due_at: NOW + 2 });
    await tick(2);
    expect(shown(wrapper).text()).toBe('SLA due now');
    expect(shown(wrapper).attributes('data-sla')).toBe('due');
    expect(shown(wrapper).attributes('data-left')).toBe('0');
    expect(shown(wrapper).classes()).toContain('sla--now');
    await tick(30);
    expect(shown(wrapper).text()).toBe('SLA due now');
    expect(badge({ sla_due_at: NOW - 90 }).get('[data-testid="sla-badge"]').text()).toBe('SLA due now');
  });

  it('says breached once the relay does, whatever the due time', async () => {
    const wrapper = badge({ sla_due_at: NOW + 100, sla_breached: true, priority: 'high' });
    const sla = shown(wrapper);
    expect(sla.attributes('data-sla')).toBe('breached');
    expect(sla.attributes('data-left')).toBeUndefined();
    expect(sla.text()).toBe('SLA breached');
    expect(sla.classes()).toContain('sla--breached');
    expect(sla.get('svg').attributes('data-icon')).toBe('alert');
    expect(badge({ sla_breached: true, status: 'resolved' }).find('[data-testid="sla-badge"]').exists()).toBe(true);
  });

  it('turns from the countdown to breached when the conversation changes', async () => {
    const wrapper = badge({ sla_due_at: NOW + 60 });
    await wrapper.setProps({ conversation: conversation(1, { sla_due_at: NOW + 60, sla_breached: true }) });
    expect(shown(wrapper).attributes('data-sla')).toBe('breached');
    await wrapper.setProps({ conversation: conversation(1, { sla_due_at: null, first_response_at: NOW }) });
    expect(shown(wrapper).exists()).toBe(false);
  });

  it.each([
    ['no SLA (an older conversation)', {}],
    ['a due time of null', { sla_due_at: null }],
    ['an agent answered (the due time cleared)', { sla_due_at: null, first_response_at: NOW - 5 }],
    ['resolved', { sla_due_at: NOW + 60, status: 'resolved' }],
  ])('shows nothing with %s, and holds no clock', (_, overrides) => {
    const wrapper = badge(overrides);
    expect(shown(wrapper).exists()).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('counts down again on a reopen, though the conversation was answered before', () => {
    const reopened = badge({ sla_due_at: NOW + 60, first_response_at: NOW - 3600 });
    expect(shown(reopened).attributes('data-sla')).toBe('due');
  });

  it('lets go of the clock once the countdown is over', async () => {
    const wrapper = badge({ sla_due_at: NOW + 60 });
    expect(vi.getTimerCount()).toBe(1);
    await wrapper.setProps({ conversation: conversation(1, { sla_due_at: NOW + 60, sla_breached: true }) });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('speaks Spanish', async () => {
    i18n.global.locale.value = 'es';
    expect(badge({ sla_due_at: NOW + 299 }).get('[data-testid="sla-badge"]').text()).toBe('SLA en 4:59');
    expect(badge({ sla_due_at: NOW }).get('[data-testid="sla-badge"]').text()).toBe('SLA vence ahora');
    expect(badge({ sla_breached: true }).get('[data-testid="sla-badge"]').text()).toBe('SLA vencido');
  });
});
