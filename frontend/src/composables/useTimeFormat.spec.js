import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { defineComponent, h } from 'vue';
import { formatClock, formatListTime, useTimeFormat } from './useTimeFormat.js';

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
});
