import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as desk from '../api/desk.js';
import { HEALTH_POLL_MS } from '../stores/connection.js';
import WebhookWarning from './WebhookWarning.vue';

vi.mock('../api/desk.js');

afterEach(() => vi.useRealTimers());

const healthy = { status: 'ok', telegram: { mode: 'webhook', pending_update_count: 0 } };
const banner = (wrapper) => wrapper.find('[data-testid="webhook-warning"]');

describe('WebhookWarning', () => {
  it('shows nothing while the webhook is healthy', async () => {
    desk.health.mockResolvedValue(healthy);
    const wrapper = mount(WebhookWarning);
    await flushPromises();
    expect(desk.health).toHaveBeenCalledOnce();
    expect(banner(wrapper).exists()).toBe(false);
  });

  it('shows Telegram\'s delivery error, as plain text', async () => {
    desk.health.mockResolvedValue({ status: 'ok', telegram: { last_error_message: '<b>Connection refused</b>', last_error_date: Math.floor(Date.now() / 1000) } });
    const wrapper = mount(WebhookWarning);
    await flushPromises();
    expect(banner(wrapper).text()).toBe('Telegram cannot deliver customers\' messages to the desk: <b>Connection refused</b>');
    expect(banner(wrapper).find('b').exists()).toBe(false);
  });

  it('asks again every minute, and stops when unmounted', async () => {
    vi.useFakeTimers();
    desk.health.mockResolvedValue(healthy);
    const wrapper = mount(WebhookWarning);
    await flushPromises();
    desk.health.mockResolvedValue({ status: 'ok', telegram: { pending_update_count: 250 } });
    await vi.advanceTimersByTimeAsync(HEALTH_POLL_MS);
    expect(desk.health).toHaveBeenCalledTimes(2);
    expect(banner(wrapper).text()).toBe('250 customer messages are waiting at Telegram to be delivered.');
    expect(banner(wrapper).attributes('data-kind')).toBe('pending');
    wrapper.unmount();
    await vi.advanceTimersByTimeAsync(HEALTH_POLL_MS * 3);
    expect(desk.health).toHaveBeenCalledTimes(2);
  });
});
