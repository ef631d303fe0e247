import { describe, expect, it } from 'vitest';
import en from './en.json';
import es from './es.json';
import { createDeskI18n, detectLocale, setLocale } from './index.js';

const keys = (tree, prefix = '') => Object.entries(tree).flatMap(([key, value]) =>
  (typeof value === 'object' ? keys(value, `${prefix}${key}.`) : [`${prefix}${key}`]));

describe('i18n', () => {
  it('has every English message in Spanish too, and no more', () => {
    expect(keys(es).sort()).toEqual(keys(en).sort());
  });

  it('picks the first browser language it speaks, else English', () => {
    expect(detectLocale(['es-ES', 'en'], null)).toBe('es');
    expect(detectLocale(['fr-FR', 'es-MX'], null)).toBe('es');
    expect(detectLocale(['de-DE'], null)).toBe('en');
    expect(detectLocale([], null)).toBe('en');
  });

  it('prefers the language the agent chose', () => {
    expect(detectLocale(['es-ES'], 'en')).toBe('en');
    expect(detectLocale(['es-ES'], 'klingon')).toBe('es');
  });

  it('switches, remembers and falls back to English', () => {
    const i18n = createDeskI18n('en');
    setLocale('es', i18n);
    expect(i18n.global.t('actions.resolve')).toBe('Resolver');
    expect(localStorage.getItem('teledesk.locale')).toBe('es');
    setLocale('xx', i18n);
    expect(i18n.global.locale.value).toBe('es');
    expect(i18n.global.t('customer.username', { username: 'ana' })).toBe('@ana');
  });
});
