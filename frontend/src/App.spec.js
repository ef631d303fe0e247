import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from './api/client.js';
import * as desk from './api/desk.js';
import App from './App.vue';
import { useConversationsStore } from './stores/conversations.js';
import { fakeSocket } from './test/fakeSocket.js';
import { conversation } from './test/fixtures.js';

vi.mock('./api/desk.js');
vi.mock('socket.io-client', () => ({ io: vi.fn(() => fakeSocket()) }));
vi.mock('uplot', () => import('./test/fakeUplot.js'));

const admin = { username: 'ana', name: 'Ana', role: 'admin' };

async function signedIn(agent = admin) {
  desk.me.mockResolvedValue({ agent });
  desk.listConversations.mockResolvedValue({ conversations: [conversation(5, { customer: { id: 5, first_name: 'Luis', username: 'luisp', language_code: 'es' } })] });
  desk.listMessages.mockResolvedValue({ messages: [] });
  desk.markRead.mockResolvedValue({});
  desk.listAgents.mockResolvedValue({ agents: [admin] });
  desk.listCanned.mockResolvedValue({ canned: [] });
  desk.health.mockResolvedValue({ status: 'ok', telegram: { pending_update_count: 0 } });
  desk.logout.mockResolvedValue(null);
  const wrapper = mount(App, { attachTo: document.body });
  await flushPromises();
  return wrapper;
}

const has = (wrapper, testid) => wrapper.find(`[data-testid="${testid}"]`).exists();
const key = async (init, target = window) => {
  target.dispatchEvent(new KeyboardEvent('keydown', { bubbles: true, cancelable: true, ...init }));
  await flushPromises();
};

describe('App', () => {
  it('shows the login form without a session', async () => {
    desk.me.mockRejectedValue(new ApiError(401, 'login required'));
    const wrapper = mount(App);
    expect(wrapper.text()).toBe('Loading…');
    await flushPromises();
    expect(has(wrapper, 'login-form')).toBe(true);
    expect(wrapper.get('[data-testid="brand-name"]').text()).toBe('teledesk');
  });

  it('says so when a logout does not reach the relay, and stays signed in', async () => {
    const wrapper = await signedIn();
    desk.logout.mockRejectedValue(new ApiError(0, 'Failed to fetch'));
    await wrapper.get('[data-testid="logout"]').trigger('click');
    await flushPromises();
    expect(has(wrapper, 'login-form')).toBe(false);
    expect(wrapper.get('[data-testid="logout-error"]').text()).toContain('Could not log out');
    wrapper.unmount();
  });

  it('shows the desk for a signed-in agent, and the login form after logout', async () => {
    const wrapper = await signedIn({ username: 'bob', name: 'Bob', role: 'agent' });
    expect(wrapper.find('[data-testid="connection-state"]').attributes('data-state')).toBe('connecting');
    expect(has(wrapper, 'language-switch')).toBe(false); // in the settings: the bar keeps room for the brand
    expect(has(wrapper, 'settings-button')).toBe(true);
    expect(has(wrapper, 'admin-button')).toBe(false); // not an admin
    expect(wrapper.text()).toContain('Select a chat to start messaging');
    await wrapper.get('[data-testid="logout"]').trigger('click');
    await flushPromises();
    expect(has(wrapper, 'login-form')).toBe(true);
    wrapper.unmount();
  });

  it('wears the organisation\'s theme', async () => {
    desk.theme.mockResolvedValue({ name: 'Acme Soporte', logo: '/api/theme/logo', colors: { accent: '#c2185b' } });
    const wrapper = await signedIn();
    expect(wrapper.get('[data-testid="brand-name"]').text()).toBe('Acme Soporte');
    expect(wrapper.get('[data-testid="brand-logo"]').attributes('src')).toBe('/api/theme/logo');
    expect(document.documentElement.style.getPropertyValue('--td-accent')).toBe('#c2185b');
    document.documentElement.removeAttribute('style');
    wrapper.unmount();
  });

  it('opens settings and the admin page, one at a time, and Esc closes them', async () => {
    const wrapper = await signedIn();
    await wrapper.get('[data-testid="settings-button"]').trigger('click');
    expect(has(wrapper, 'settings-panel')).toBe(true);
    await key({ key: 'Escape' });
    expect(has(wrapper, 'settings-panel')).toBe(false);

    await wrapper.get('[data-testid="admin-button"]').trigger('click');
    await flushPromises();
    expect(has(wrapper, 'admin-page')).toBe(true);
    await wrapper.get('[data-testid="admin-close"]').trigger('click');
    expect(has(wrapper, 'admin-page')).toBe(false);
    wrapper.unmount();
  });

  it('opens the stats page for any agent, loaded when first opened; Esc closes it', async () => {
    const wrapper = await signedIn({ username: 'bob', name: 'Bob', role: 'agent' });
    desk.stats.mockResolvedValue({ window_s: 86400, messages: {}, conversations: { open: 2, pending: 0, resolved: 0 } });
    await wrapper.get('[data-testid="stats-button"]').trigger('click');
    await vi.dynamicImportSettled();
    await flushPromises();
    expect(has(wrapper, 'stats-page')).toBe(true);
    expect(desk.stats).toHaveBeenCalledWith('24h');
    expect(wrapper.get('[data-testid="stats-conversations"][data-status="open"]').attributes('data-value')).toBe('2');
    await key({ key: 'Escape' });
    expect(has(wrapper, 'stats-page')).toBe(false);
    wrapper.unmount();
  });

  it('opens the shortcuts on "?" outside text fields only', async () => {
    const wrapper = await signedIn();
    const field = document.createElement('textarea');
    document.body.append(field);
    await key({ key: '?' }, field);
    expect(has(wrapper, 'shortcuts-sheet')).toBe(false);
    await key({ key: '?' });
    expect(has(wrapper, 'shortcuts-sheet')).toBe(true);
    await key({ key: 'Escape' }, field); // Esc works from anywhere
    expect(has(wrapper, 'shortcuts-sheet')).toBe(false);
    field.remove();
    wrapper.unmount();
  });

  it('opens the customer panel from the header; Esc closes it, unless a component used that Esc', async () => {
    const wrapper = await signedIn();
    useConversationsStore().open(5);
    await flushPromises();
    await wrapper.get('[data-testid="customer-info-button"]').trigger('click');
    expect(wrapper.get('[data-testid="side-panel"] [data-testid="customer-username"]').text()).toBe('@luisp');

    const handled = new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true });
    handled.preventDefault();
    window.dispatchEvent(handled);
    await flushPromises();
    expect(has(wrapper, 'side-panel')).toBe(true);

    await key({ key: 'Escape' });
    expect(has(wrapper, 'side-panel')).toBe(false);
    await wrapper.get('[data-testid="customer-info-button"]').trigger('click');
    await wrapper.get('[data-testid="side-panel-close"]').trigger('click');
    expect(has(wrapper, 'side-panel')).toBe(false);
    wrapper.unmount();
  });

  it('shows the webhook warning when Telegram cannot deliver', async () => {
    desk.health.mockResolvedValue({ status: 'ok', telegram: { pending_update_count: 400 } });
    desk.me.mockResolvedValue({ agent: admin });
    desk.listConversations.mockResolvedValue({ conversations: [] });
    const wrapper = mount(App);
    await flushPromises();
    expect(wrapper.get('[data-testid="webhook-warning"]').text()).toContain('400');
    wrapper.unmount();
  });
});
