import { mount } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { i18n, setLocale } from '../i18n/index.js';
import LanguageSwitch from './LanguageSwitch.vue';

afterEach(() => setLocale('en'));

describe('LanguageSwitch', () => {
  it('offers English and Spanish and switches the whole console', async () => {
    const wrapper = mount(LanguageSwitch);
    const select = wrapper.get('[data-testid="language-switch"]');
    expect(select.findAll('option').map((o) => o.attributes('value'))).toEqual(['en', 'es']);
    await select.setValue('es');
    expect(i18n.global.locale.value).toBe('es');
    expect(document.documentElement.lang).toBe('es');
    expect(select.attributes('aria-label')).toBe('Idioma');
  });
});
