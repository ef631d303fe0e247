import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { nextTick } from 'vue';
import { i18n } from '../i18n/index.js';
import DeliveryTick from './DeliveryTick.vue';

const mountTick = (delivery, attrs = {}) => mount(DeliveryTick, { props: { delivery, ...attrs } });
const tick = (delivery) => mountTick(delivery).get('[data-testid="delivery-state"]');

describe('DeliveryTick', () => {
  it('shows a clock while queued and a check once sent', () => {
    expect(tick({ state: 'queued' }).attributes()).toMatchObject({ 'data-state': 'queued', title: 'Sending…' });
    expect(tick({ state: 'sent' }).attributes()).toMatchObject({ 'data-state': 'sent', title: 'Sent' });
    expect(mountTick({ state: 'sent' }).find('[data-testid="delivery-reason"]').exists()).toBe(false);
  });

  it('shows a failure with its reason', () => {
    const wrapper = mountTick({ state: 'failed', reason: 'Forbidden: bot was blocked by the user' });
    const failed = wrapper.get('[data-testid="delivery-state"]');
    expect(failed.attributes('data-state')).toBe('failed');
    expect(failed.attributes('title')).toBe('Not delivered: Forbidden: bot was blocked by the user');
    expect(failed.classes()).toContain('tick--failed');
    expect(wrapper.get('[data-testid="delivery-reason"]').text()).toBe('Not delivered: Forbidden: bot was blocked by the user');
    expect(tick({ state: 'failed' }).attributes('title')).toBe('Not delivered');
  });

  it('says an answer that may have reached the customer so, in the agent\'s language, not as undelivered', async () => {
    const maybe = { state: 'failed', cause: 'maybe_sent', reason: 'may have reached the customer: check the chat before retrying' };
    const wrapper = mountTick(maybe, { onRetry: vi.fn() });
    expect(wrapper.get('[data-testid="delivery-reason"]').text())
      .toBe('May have reached the customer: check the chat before retrying');
    expect(wrapper.find('[data-testid="delivery-retry"]').exists()).toBe(true);
    i18n.global.locale.value = 'es';
    try {
      await nextTick();
      expect(wrapper.get('[data-testid="delivery-reason"]').text())
        .toBe('Puede que haya llegado al cliente: revisa el chat antes de reintentar');
    } finally {
      i18n.global.locale.value = 'en';
    }
  });

  it('says a failure of this console in the console\'s language, not the browser\'s English', () => {
    const wrapper = mountTick({ state: 'failed', reason: 'Failed to fetch', reason_key: 'errors.network', reason_params: {} });
    expect(wrapper.get('[data-testid="delivery-reason"]').text())
      .toBe('Not delivered: the server could not be reached; check the connection');
  });

  it('offers a retry when the bubble handles one, disabled while it runs', async () => {
    expect(mountTick({ state: 'failed' }).find('[data-testid="delivery-retry"]').exists()).toBe(false);
    let done;
    const onRetry = vi.fn(() => new Promise((resolve) => { done = resolve; }));
    const wrapper = mountTick({ state: 'failed', reason: 'x' }, { onRetry });
    const retry = wrapper.get('[data-testid="delivery-retry"]');
    expect(retry.text()).toBe('Retry');
    await retry.trigger('click');
    expect(onRetry).toHaveBeenCalledTimes(1);
    expect(retry.attributes()).toHaveProperty('disabled');
    done();
    await flushPromises();
    expect(retry.attributes()).not.toHaveProperty('disabled');
  });
});
