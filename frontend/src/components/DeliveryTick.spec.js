import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import DeliveryTick from './DeliveryTick.vue';

const tick = (delivery) => mount(DeliveryTick, { props: { delivery } }).get('[data-testid="delivery-state"]');

describe('DeliveryTick', () => {
  it('shows a clock while queued and a check once sent', () => {
    expect(tick({ state: 'queued' }).attributes()).toMatchObject({ 'data-state': 'queued', title: 'Sending…' });
    expect(tick({ state: 'sent' }).attributes()).toMatchObject({ 'data-state': 'sent', title: 'Sent' });
  });

  it('shows a failure with its reason', () => {
    const failed = tick({ state: 'failed', reason: 'Forbidden: bot was blocked by the user' });
    expect(failed.attributes('data-state')).toBe('failed');
    expect(failed.attributes('title')).toBe('Not delivered: Forbidden: bot was blocked by the user');
    expect(failed.classes()).toContain('tick--failed');
    expect(tick({ state: 'failed' }).attributes('title')).toBe('Not delivered');
  });
});
