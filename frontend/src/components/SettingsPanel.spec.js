import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as desk from '../api/desk.js';
import { i18n, setLocale } from '../i18n/index.js';
import SettingsPanel from './SettingsPanel.vue';

vi.mock('../api/desk.js');

afterEach(() => setLocale('en'));

async function panel() {
  desk.listCanned.mockResolvedValue({ canned: [] });
  const wrapper = mount(SettingsPanel);
  await flushPromises();
  return wrapper;
}

describe('SettingsPanel', () => {
  it('holds the language, the attention settings and the canned responses', async () => {
    const wrapper = await panel();
    const settings = wrapper.get('[data-testid="settings-panel"]');
    expect(settings.get('h2').text()).toBe('Settings');
    expect(settings.find('[data-testid="settings-language"]').exists()).toBe(true);
    expect(settings.find('[data-testid="attention-sound"]').exists()).toBe(true);
    expect(settings.find('[data-testid="canned-manager"]').exists()).toBe(true);
    expect(settings.find('[data-testid="language-switch"]').exists()).toBe(false); // the top bar's
  });

  it('switches the language', async () => {
    const wrapper = await panel();
    await wrapper.get('[data-testid="settings-language"]').setValue('es');
    expect(i18n.global.locale.value).toBe('es');
    expect(wrapper.get('[data-testid="settings-panel"] h2').text()).toBe('Ajustes');
  });

  it('closes from its button', async () => {
    const wrapper = await panel();
    await wrapper.get('[data-testid="settings-close"]').trigger('click');
    expect(wrapper.emitted('close')).toHaveLength(1);
  });
});
