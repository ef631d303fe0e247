import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client.js';
import * as desk from '../api/desk.js';
import { i18n } from '../i18n/index.js';
import { useSessionStore } from '../stores/session.js';
import AdminPage from './AdminPage.vue';

vi.mock('../api/desk.js');

const ana = { username: 'ana', name: 'Ana', role: 'admin', disabled: false };
const bob = { username: 'bob', name: 'Bob', role: 'agent', disabled: false };

async function page(agents = [ana, bob]) {
  useSessionStore().agent = ana;
  desk.listAgents.mockResolvedValue({ agents });
  const wrapper = mount(AdminPage);
  await flushPromises();
  return wrapper;
}

const row = (wrapper, username) => wrapper.get(`[data-testid="agent-row"][data-username="${username}"]`);

describe('AdminPage', () => {
  it('lists the agents, with no disabling myself', async () => {
    const wrapper = await page();
    expect(wrapper.findAll('[data-testid="agent-row"]').map((r) => r.attributes('data-username'))).toEqual(['ana', 'bob']);
    expect(row(wrapper, 'ana').text()).toContain('Ana (you)');
    expect(row(wrapper, 'ana').find('[data-testid="agent-disable"]').exists()).toBe(false);
    expect(row(wrapper, 'bob').attributes('data-disabled')).toBe('false');
    expect(row(wrapper, 'bob').text()).toContain('@bob · Agent · Active');
  });

  it('disables and enables an agent', async () => {
    desk.disableAgent.mockResolvedValue({ agent: { ...bob, disabled: true } });
    desk.enableAgent.mockResolvedValue({ agent: bob });
    const wrapper = await page();
    await row(wrapper, 'bob').get('[data-testid="agent-disable"]').trigger('click');
    await flushPromises();
    expect(desk.disableAgent).toHaveBeenCalledWith('bob');
    expect(row(wrapper, 'bob').attributes('data-disabled')).toBe('true');
    await row(wrapper, 'bob').get('[data-testid="agent-enable"]').trigger('click');
    await flushPromises();
    expect(desk.enableAgent).toHaveBeenCalledWith('bob');
    expect(row(wrapper, 'bob').attributes('data-disabled')).toBe('false');
  });

  it('adds an agent and clears the form', async () => {
    const carla = { username: 'carla', name: 'Carla Gómez', role: 'admin', disabled: false };
    desk.addAgent.mockResolvedValue({ agent: carla });
    const wrapper = await page();
    await wrapper.get('[data-testid="agent-add-username"]').setValue(' carla ');
    await wrapper.get('[data-testid="agent-add-name"]').setValue('Carla Gómez');
    await wrapper.get('[data-testid="agent-add-role"]').setValue('admin');
    await wrapper.get('[data-testid="agent-add-password"]').setValue('first-password-1');
    await wrapper.get('[data-testid="agent-add-submit"]').trigger('submit');
    await flushPromises();
    expect(desk.addAgent).toHaveBeenCalledWith({ username: 'carla', name: 'Carla Gómez', role: 'admin', password: 'first-password-1' });
    expect(row(wrapper, 'carla').text()).toContain('Carla Gómez');
    expect(wrapper.get('[data-testid="agent-add-username"]').element.value).toBe('');
    expect(wrapper.find('[data-testid="admin-error"]').exists()).toBe(false);
  });

  it('shows why adding failed and keeps what was typed', async () => {
    desk.addAgent.mockRejectedValue(new ApiError(409, 'that username is taken'));
    const wrapper = await page();
    await wrapper.get('[data-testid="agent-add-username"]').setValue('bob');
    await wrapper.get('[data-testid="agent-add-submit"]').trigger('submit');
    await flushPromises();
    expect(wrapper.get('[data-testid="admin-error"]').text()).toBe('That did not work: that username is taken');
    expect(wrapper.get('[data-testid="agent-add-username"]').element.value).toBe('bob');
  });

  it('resets a password from the agent\'s row', async () => {
    desk.resetPassword.mockResolvedValue({ agent: bob });
    const wrapper = await page();
    await row(wrapper, 'bob').get('[data-testid="agent-reset"]').trigger('click');
    await row(wrapper, 'bob').get('[data-testid="agent-reset-password"]').setValue('second-password-2');
    await row(wrapper, 'bob').get('[data-testid="agent-reset-submit"]').trigger('submit');
    await flushPromises();
    expect(desk.resetPassword).toHaveBeenCalledWith('bob', 'second-password-2');
    expect(wrapper.find('[data-testid="agent-reset-password"]').exists()).toBe(false);
    expect(wrapper.text()).toContain('Password changed for Bob.');
  });

  it('links an agent\'s Telegram account and shows it', async () => {
    desk.linkTelegram.mockResolvedValue({ agent: { ...bob, telegram_id: 8000000002 } });
    const wrapper = await page();
    await row(wrapper, 'bob').get('[data-testid="agent-telegram"]').trigger('click');
    expect(row(wrapper, 'bob').find('[data-testid="agent-telegram-unlink"]').exists()).toBe(false);
    await row(wrapper, 'bob').get('[data-testid="agent-telegram-id"]').setValue('8000000002');
    await row(wrapper, 'bob').get('[data-testid="agent-telegram-submit"]').trigger('submit');
    await flushPromises();
    expect(desk.linkTelegram).toHaveBeenCalledWith('bob', 8000000002);
    expect(row(wrapper, 'bob').text()).toContain('@bob · Agent · Active · Telegram 8000000002');
    expect(wrapper.find('[data-testid="agent-telegram-id"]').exists()).toBe(false);
    expect(wrapper.text()).toContain('Bob answers from the staff forum as themself.');
  });

  it('unlinks it, and shows why a link was refused', async () => {
    const linked = { ...bob, telegram_id: 77 };
    desk.unlinkTelegram.mockResolvedValue({ agent: { ...bob, telegram_id: null } });
    desk.linkTelegram.mockRejectedValue(new ApiError(409, "that Telegram account is linked to 'ana'"));
    const wrapper = await page([ana, linked]);
    await row(wrapper, 'bob').get('[data-testid="agent-telegram"]').trigger('click');
    expect(row(wrapper, 'bob').get('[data-testid="agent-telegram-id"]').element.value).toBe('77');
    await row(wrapper, 'bob').get('[data-testid="agent-telegram-id"]').setValue('88');
    await row(wrapper, 'bob').get('[data-testid="agent-telegram-submit"]').trigger('submit');
    await flushPromises();
    expect(wrapper.get('[data-testid="admin-error"]').text()).toBe("That did not work: that Telegram account is linked to 'ana'");
    await row(wrapper, 'bob').get('[data-testid="agent-telegram-unlink"]').trigger('click');
    await flushPromises();
    expect(desk.unlinkTelegram).toHaveBeenCalledWith('bob');
    expect(row(wrapper, 'bob').text()).not.toContain('Telegram 77');
    expect(wrapper.text()).toContain('Bob\'s Telegram account is unlinked.');
  });

  it('speaks Spanish and closes', async () => {
    i18n.global.locale.value = 'es';
    const wrapper = await page();
    expect(row(wrapper, 'bob').get('[data-testid="agent-disable"]').text()).toBe('Desactivar');
    expect(row(wrapper, 'bob').get('[data-testid="agent-telegram"]').text()).toBe('Telegram');
    await wrapper.get('[data-testid="admin-close"]').trigger('click');
    expect(wrapper.emitted('close')).toHaveLength(1);
  });
});
