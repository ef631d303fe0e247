import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client.js';
import * as desk from '../api/desk.js';
import { i18n } from '../i18n/index.js';
import { useSessionStore } from '../stores/session.js';
import { useThemeStore } from '../stores/theme.js';
import LoginForm from './LoginForm.vue';

vi.mock('../api/desk.js');

const agent = { username: 'ana', name: 'Ana', role: 'agent' };

async function fill(wrapper, username, password) {
  await wrapper.get('input[name="username"]').setValue(username);
  await wrapper.get('input[name="password"]').setValue(password);
}

/** The form, submitted with these credentials while the relay refuses with `error`. */
async function refusedWith(error, username, password) {
  desk.login.mockRejectedValue(error);
  const wrapper = mount(LoginForm);
  await fill(wrapper, username, password);
  await wrapper.get('form').trigger('submit');
  await flushPromises();
  return wrapper;
}

describe('LoginForm', () => {
  it('has the inputs the browser tests rely on', () => {
    const wrapper = mount(LoginForm);
    expect(wrapper.get('form[data-testid="login-form"]').exists()).toBe(true);
    expect(wrapper.get('input[name="password"]').attributes('type')).toBe('password');
  });

  it('signs in when Enter submits the form', async () => {
    desk.login.mockResolvedValue({ agent });
    const wrapper = mount(LoginForm, { attachTo: document.body });
    await fill(wrapper, ' ana ', 's3cret');
    // Enter in a field is the browser's implicit submission: it needs a submit button in
    // the form and then does what requestSubmit() does.
    const form = wrapper.get('form').element;
    expect(form.querySelector('button[type="submit"]')).not.toBeNull();
    form.requestSubmit();
    await flushPromises();
    expect(desk.login).toHaveBeenCalledWith('ana', 's3cret');
    expect(useSessionStore().agent).toEqual(agent);
    expect(useSessionStore().isAuthenticated).toBe(true);
    wrapper.unmount();
  });

  it('says so when the password is wrong', async () => {
    desk.login.mockRejectedValue(new ApiError(401, 'wrong username or password'));
    const wrapper = mount(LoginForm);
    await fill(wrapper, 'ana', 'nope');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(wrapper.get('[data-testid="login-error"]').text()).toBe('Wrong username or password.');
    expect(wrapper.get('input[name="password"]').element.value).toBe('');
    expect(useSessionStore().isAuthenticated).toBe(false);
  });

  it('tells other failures apart, in Spanish too', async () => {
    desk.login.mockRejectedValue(new ApiError(0, 'Failed to fetch'));
    i18n.global.locale.value = 'es';
    const wrapper = mount(LoginForm);
    await fill(wrapper, 'ana', 'x');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(wrapper.get('[data-testid="login-error"]').text()).toBe('No se pudo iniciar sesión. Inténtalo de nuevo.');
  });

  it('explains an ended session', async () => {
    const session = useSessionStore();
    session.status = 'authenticated';
    session.expire();
    const wrapper = mount(LoginForm);
    expect(wrapper.get('[data-testid="login-error"]').text()).toBe('Your session has ended. Please sign in again.');
  });

  it('says so when an admin disabled the account, until the next attempt', async () => {
    desk.login.mockRejectedValue(new ApiError(401, 'account disabled'));
    const session = useSessionStore();
    session.status = 'authenticated';
    session.expire('disabled');
    const wrapper = mount(LoginForm);
    expect(wrapper.get('[data-testid="session-ended"]').text()).toBe('Your account was disabled. Ask an admin if you need it back.');
    expect(wrapper.get('[data-testid="login-error"]').text()).toBe('Your account was disabled. Ask an admin if you need it back.');
    await fill(wrapper, 'ana', 'pw');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(wrapper.find('[data-testid="session-ended"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="login-error"]').text()).toBe('Wrong username or password.');
  });

  it('says how long to wait when the relay refuses logins for a while (429), in the agent\'s language', async () => {
    const refusal = new ApiError(429, 'too many failed logins: try again in 42 s', null, { retryAfter: 42 });
    const wrapper = await refusedWith(refusal, 'ana', 'guess');
    expect(wrapper.get('[data-testid="login-error"]').text()).toBe('Too many failed attempts. Try again in 42 s.');
    i18n.global.locale.value = 'es';
    await flushPromises();
    expect(wrapper.get('[data-testid="login-error"]').text()).toBe('Demasiados intentos fallidos. Vuelve a intentarlo en 42 s.');
    expect(useSessionStore().isAuthenticated).toBe(false);
  });

  it('says how long to wait when the relay is busy checking other logins (503)', async () => {
    const refusal = new ApiError(503, 'too many logins at once: try again in a moment', null, { retryAfter: 1 });
    const wrapper = await refusedWith(refusal, 'ana', 'pw');
    expect(wrapper.get('[data-testid="login-error"]').text()).toBe('Too many people are signing in right now. Try again in 1 s.');
  });

  it('says the agent logged out in another tab', () => {
    const session = useSessionStore();
    session.status = 'authenticated';
    session.expire('logout');
    const wrapper = mount(LoginForm);
    expect(wrapper.get('[data-testid="session-ended"]').text()).toBe('You logged out in another tab or window.');
  });

  it('wears the organisation\'s name and logo', () => {
    const theme = useThemeStore();
    theme.name = 'Acme Soporte';
    theme.logo = '/api/theme/logo';
    const wrapper = mount(LoginForm);
    expect(wrapper.get('h1').text()).toBe('Sign in to Acme Soporte');
    expect(wrapper.get('[data-testid="brand-name"]').text()).toBe('Acme Soporte');
    expect(wrapper.get('[data-testid="brand-logo"]').attributes('src')).toBe('/api/theme/logo');
  });

  it('is teledesk\'s without a theme', () => {
    const wrapper = mount(LoginForm);
    expect(wrapper.get('h1').text()).toBe('Sign in to teledesk');
    expect(wrapper.find('[data-testid="brand-logo"]').exists()).toBe(false);
  });
});
