// Every spec starts with a fresh Pinia (active, and installed in mounted components) and
// the console in English.
import { config } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach } from 'vitest';
import { i18n } from '../i18n/index.js';

beforeEach(() => {
  const pinia = createPinia();
  setActivePinia(pinia);
  config.global.plugins = [i18n, pinia];
  i18n.global.locale.value = 'en';
  localStorage.clear();
});
