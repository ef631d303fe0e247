import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from './api/client.js';
import * as desk from './api/desk.js';
import App from './App.vue';
import { fakeSocket } from './test/fakeSocket.js';

vi.mock('./api/desk.js');
vi.mock('socket.io-client', () => ({ io: vi.fn(() => fakeSocket()) }));

describe('App', () => {
  it('shows the login form without a session', async () => {
    desk.me.mockRejectedValue(new ApiError(401, 'login required'));
    const wrapper = mount(App);
    expect(wrapper.text()).toBe('Loading…');
    await flushPromises();
    expect(wrapper.find('[data-testid="login-form"]').exists()).toBe(true);
  });

  it('shows the desk for a signed-in agent, and the login form after logout', async () => {
    desk.me.mockResolvedValue({ agent: { username: 'ana', name: 'Ana', role: 'agent' } });
    desk.listConversations.mockResolvedValue({ conversations: [] });
    desk.logout.mockResolvedValue(null);
    const wrapper = mount(App);
    await flushPromises();
    expect(wrapper.find('[data-testid="connection-state"]').attributes('data-state')).toBe('connecting');
    expect(wrapper.find('[data-testid="language-switch"]').exists()).toBe(true);
    expect(wrapper.text()).toContain('Select a chat to start messaging');
    await wrapper.get('[data-testid="logout"]').trigger('click');
    await flushPromises();
    expect(wrapper.find('[data-testid="login-form"]').exists()).toBe(true);
  });
});
