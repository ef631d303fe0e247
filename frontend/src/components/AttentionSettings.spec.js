import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { useAttentionStore } from '../stores/attention.js';
import AttentionSettings from './AttentionSettings.vue';

function notifications(permission, answer = permission) {
  const api = { permission, requestPermission: vi.fn(async () => { api.permission = answer; return answer; }) };
  vi.stubGlobal('Notification', api);
  return api;
}

const box = (wrapper, name) => wrapper.get(`[data-testid="attention-${name}"]`);

describe('AttentionSettings', () => {
  it('shows three labelled switches, all on by default', () => {
    notifications('default');
    const wrapper = mount(AttentionSettings);
    for (const name of ['sound', 'title', 'notify']) {
      expect(box(wrapper, name).attributes('type')).toBe('checkbox');
      expect(box(wrapper, name).element.checked).toBe(true);
    }
    expect(wrapper.findAll('label').map((label) => label.text())).toEqual([
      'Play a sound on new messages',
      'Show the unread count in the tab title',
      'Desktop notifications when the console is hidden',
    ]);
    expect(wrapper.get('legend').text()).toBe('Notifications');
  });

  it('turns each one off and on, and remembers it', async () => {
    notifications('granted');
    const wrapper = mount(AttentionSettings);
    await box(wrapper, 'sound').setValue(false);
    await box(wrapper, 'title').setValue(false);
    expect(useAttentionStore().prefs).toEqual({ sound: false, title: false, notify: true });
    expect(JSON.parse(localStorage.getItem('teledesk.attention')).sound).toBe(false);
    await box(wrapper, 'sound').setValue(true);
    expect(useAttentionStore().prefs.sound).toBe(true);
  });

  it('asks the browser when notifications are turned on, and says when it refuses', async () => {
    const api = notifications('default', 'denied');
    const wrapper = mount(AttentionSettings);
    await box(wrapper, 'notify').setValue(false);
    expect(api.requestPermission).not.toHaveBeenCalled();
    await box(wrapper, 'notify').setValue(true);
    await flushPromises();
    expect(api.requestPermission).toHaveBeenCalledOnce();
    expect(wrapper.get('[role="status"]').text()).toContain('blocks notifications');
  });

  it('disables notifications where the browser has none', () => {
    vi.stubGlobal('Notification', undefined);
    const wrapper = mount(AttentionSettings);
    expect(box(wrapper, 'notify').attributes('disabled')).toBeDefined();
    expect(wrapper.text()).toContain('This browser has no desktop notifications.');
  });

  it('speaks Spanish', async () => {
    notifications('granted');
    const wrapper = mount(AttentionSettings);
    wrapper.vm.$i18n.locale = 'es';
    await wrapper.vm.$nextTick();
    expect(wrapper.get('legend').text()).toBe('Notificaciones');
  });
});
