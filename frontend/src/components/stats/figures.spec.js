import { describe, expect, it } from 'vitest';
import {
  HOUR_S, formatDuration, formatMs, hourlySeries, messageTypes, ordered, stacked, total, typeColour,
} from './figures.js';

const H = 1_764_748_800; // a UTC hour

describe('stats figures', () => {
  it('orders names as the desk goes, unknown ones after, alphabetically', () => {
    expect(ordered(['deliver', 'zeta', 'ingest', 'alpha', 'ingest'], ['ingest', 'classify', 'deliver']))
      .toEqual(['ingest', 'deliver', 'alpha', 'zeta']);
  });

  it('lists every type of the total and of the hours, customers first', () => {
    const stats = { messages: { AGENT: 2, CLIENT: 3 }, per_hour: [{ hour: H, messages: { BOT: 1, NEW_KIND: 1 } }] };
    expect(messageTypes(stats)).toEqual(['CLIENT', 'AGENT', 'BOT', 'NEW_KIND']);
    expect(messageTypes(null)).toEqual([]);
  });

  it('gives a type the same colour whatever else the window has, unknown ones the last', () => {
    expect(typeColour('CLIENT')).toBe('--td-chart-1');
    expect(typeColour('AGENT')).toBe('--td-chart-2');
    expect(typeColour('NEW_KIND')).toBe('--td-chart-8');
  });

  it('fills every hour of the window up to now, with 0 where the relay listed none', () => {
    const stats = { window_s: 3 * HOUR_S, as_of: H + 2 * HOUR_S + 60, per_hour: [{ hour: H, messages: { CLIENT: 4 } }] };
    const { hours, counts } = hourlySeries(stats, ['CLIENT', 'AGENT']);
    expect(hours).toEqual([H - HOUR_S, H, H + HOUR_S, H + 2 * HOUR_S]);
    expect(counts).toEqual({ CLIENT: [0, 4, 0, 0], AGENT: [0, 0, 0, 0] });
  });

  it('keeps the hours the relay gave when it says no time', () => {
    const stats = { per_hour: [{ hour: H + HOUR_S, messages: { CLIENT: 1 } }, { hour: H, messages: { CLIENT: 2 } }] };
    expect(hourlySeries(stats)).toEqual({ hours: [H, H + HOUR_S], counts: { CLIENT: [2, 1] } });
    expect(hourlySeries({})).toEqual({ hours: [], counts: {} });
  });

  it('stacks the types hour by hour in their order', () => {
    expect(stacked(['CLIENT', 'AGENT', 'BOT'], { CLIENT: [2, 0], AGENT: [1, 3], BOT: [0, 1] }))
      .toEqual({ CLIENT: [2, 0], AGENT: [3, 3], BOT: [3, 4] });
  });

  it('adds counts up', () => {
    expect(total({ a: 2, b: 3 })).toBe(5);
    expect(total(undefined)).toBe(0);
  });

  it('writes durations and latencies in the unit that reads best, in the agent\'s language', () => {
    expect(formatDuration(42.4, 'en')).toBe('42 sec');
    expect(formatDuration(210, 'en')).toBe('3.5 min');
    expect(formatDuration(2 * HOUR_S, 'en')).toBe('2 hr');
    expect(formatDuration(3 * 24 * HOUR_S, 'es')).toBe('3 d');
    expect(formatDuration(null, 'en')).toBe('');
    expect(formatMs(35.2, 'en')).toBe('35 ms');
    expect(formatMs(1250, 'es')).toBe('1,3 s');
    expect(formatMs(null, 'es')).toBe('');
  });
});
