import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { defineComponent, h } from 'vue';
import { formatClock, formatCountdown, formatListTime, useTimeFormat } from './useTimeFormat.js';

const at = (y, m, d, h = 12, min = 0) => new Date(y, m - 1, d, h, min).getTime() / 1000;

describe('time formatting', () => {
  const now = new Date(2026, 10, 20, 18, 0); // Friday 20 Nov 2026, 18:00 local

  it('shows the clock for today', () => {
    expect(formatListTime(at(2026, 11, 20, 9, 5), 'en-GB', now)).toBe('9:05');
    expect(formatClock(at(2026, 11, 20, 21, 5), 'es')).toBe('21:05');
    expect(formatClock(at(2026, 11, 20, 21, 5), 'en-US').replace(/\s/g, ' ')).toBe('9:05 PM');
  });

  it('shows the weekday within the week, in the chosen language', () => {
    expect(formatListTime(at(2026, 11, 18), 'en', now)).toBe('Wed');
    expect(formatListTime(at(2026, 11, 18), 'es', now)).toBe('mié');
  });

  it('shows the date for older messages', () => {
    expect(formatListTime(at(2026, 3, 2), 'en', now)).toBe('Mar 2');
    expect(formatListTime(at(2025, 3, 2), 'en-GB', now)).toBe('02/03/25');
  });

  it('accepts fractional seconds', () => {
    expect(formatListTime(at(2026, 11, 20, 9, 5) + 0.75, 'en-GB', now)).toBe('9:05');
  });

  it('draws nothing for a date it cannot draw, instead of throwing', () => {
    let format;
    mount(defineComponent({ setup() { format = useTimeFormat(); return () => h('div'); } }));
    for (const bad of [null, undefined, 'soon', 1e20]) {
      expect([format.clock(bad), format.listTime(bad), format.full(bad)]).toEqual(['', '', '']);
    }
  });

  it('counts down as a timer: minutes and seconds under an hour, hours and minutes from one on', () => {
    expect(formatCountdown(299)).toBe('4:59');
    expect(formatCountdown(300)).toBe('5:00');
    expect(formatCountdown(9)).toBe('0:09');
    expect(formatCountdown(3599)).toBe('59:59');
    expect(formatCountdown(3600)).toBe('1 h 00 m');
    expect(formatCountdown(3720)).toBe('1 h 02 m');
    expect(formatCountdown(3661)).toBe('1 h 02 m'); // a minute started counts: never less than is left
    expect(formatCountdown(26 * 3600)).toBe('26 h 00 m');
  });

  it('counts a fraction of a second left as a whole one, and never below zero', () => {
    expect(formatCountdown(298.2)).toBe('4:59');
    expect(formatCountdown(0.4)).toBe('0:01');
    expect(formatCountdown(0)).toBe('0:00');
    expect(formatCountdown(-12)).toBe('0:00');
    expect(formatCountdown(undefined)).toBe('0:00');
  });
});
