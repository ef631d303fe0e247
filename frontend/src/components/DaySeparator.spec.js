import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { setLocale, i18n } from '../i18n/index.js';
import DaySeparator from './DaySeparator.vue';

const NOW = new Date(2026, 5, 16, 15, 0);
const at = (...parts) => new Date(...parts).getTime() / 1000;
const label = (date) => mount(DaySeparator, { props: { date, now: NOW } }).get('[data-testid="day-separator"]').text();

describe('DaySeparator', () => {
  it('says Today, Yesterday, else the date (with the year when it is not this one)', () => {
    expect(label(at(2026, 5, 16, 0, 5))).toBe('Today');
    expect(label(at(2026, 5, 15, 23, 59))).toBe('Yesterday');
    expect(label(at(2026, 5, 3, 12))).toBe('June 3');
    expect(label(at(2025, 11, 31, 12))).toBe('December 31, 2025');
  });

  it('speaks the console\'s language', () => {
    setLocale('es', i18n);
    expect(label(at(2026, 5, 16, 9))).toBe('Hoy');
    expect(label(at(2026, 5, 3, 12))).toBe('3 de junio');
  });
});
