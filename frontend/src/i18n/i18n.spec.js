import { describe, expect, it } from 'vitest';
import { MESSAGES, createDeskI18n, detectLocale, loadMessages, setLocale } from './index.js';

const areaFiles = import.meta.glob('./locale/*/*.json', { eager: true, import: 'default' });

const keys = (tree, prefix = '') => Object.entries(tree).flatMap(([key, value]) =>
  (typeof value === 'object' ? keys(value, `${prefix}${key}.`) : [`${prefix}${key}`]));

describe('i18n', () => {
  it('has every English message in Spanish too, and no more, area by area', () => {
    const areas = Object.keys(areaFiles).filter((path) => path.includes('/en/'));
    expect(areas.length).toBeGreaterThan(1);
    for (const path of areas) {
      const spanish = areaFiles[path.replace('/en/', '/es/')];
      expect(spanish, path).toBeDefined();
      expect(keys(spanish).sort(), path).toEqual(keys(areaFiles[path]).sort());
    }
    expect(keys(MESSAGES.es).sort()).toEqual(keys(MESSAGES.en).sort());
  });

  it('merges the area files of each language, and no area repeats another\'s keys', () => {
    const merged = loadMessages({
      './locale/en/a.json': { one: { x: 'X' } },
      './locale/en/b.json': { two: 'Two' },
      './locale/es/a.json': { one: { x: 'Equis' } },
    });
    expect(merged).toEqual({ en: { one: { x: 'X' }, two: 'Two' }, es: { one: { x: 'Equis' } } });
    const seen = new Map();
    for (const [path, content] of Object.entries(areaFiles)) {
      const locale = path.split('/')[2];
      for (const key of Object.keys(content)) {
        expect(seen.get(`${locale}:${key}`), `${path} repeats ${key}`).toBeUndefined();
        seen.set(`${locale}:${key}`, path);
      }
    }
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
