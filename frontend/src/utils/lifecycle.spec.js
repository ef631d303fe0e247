import { describe, expect, it } from 'vitest';
import { CSAT_MAX, PRIORITIES, breachedOf, csatOf, priorityOf, slaDueAt } from './lifecycle.js';

const running = { status: 'open', sla_due_at: 1000.5, sla_breached: false, first_response_at: null };

describe('the lifecycle fields of a conversation', () => {
  it.each(PRIORITIES)('keeps the priority %s', (priority) => {
    expect(priorityOf({ priority })).toBe(priority);
  });

  it('reads a missing or unknown priority as normal', () => {
    expect([priorityOf({}), priorityOf({ priority: null }), priorityOf({ priority: 'urgent' }), priorityOf(undefined)])
      .toEqual(['normal', 'normal', 'normal', 'normal']);
  });

  it('reads only the relay\'s true as breached', () => {
    expect(breachedOf({ sla_breached: true })).toBe(true);
    expect([false, null, undefined, 'true', 1].map((sla_breached) => breachedOf({ sla_breached }))).toEqual([false, false, false, false, false]);
    expect(breachedOf(undefined)).toBe(false);
  });

  it('has an SLA due time while it runs: set, not breached, not resolved', () => {
    expect(slaDueAt(running)).toBe(1000.5);
    expect(slaDueAt({ ...running, status: 'pending' })).toBe(1000.5);
    expect(slaDueAt({ sla_due_at: 7 })).toBe(7); // the other fields missing: open, unanswered
    expect(slaDueAt({ ...running, status: 'resolved' })).toBeNull();
    expect(slaDueAt({ ...running, sla_breached: true })).toBeNull();
    expect(slaDueAt({ ...running, first_response_at: 990 })).toBe(1000.5); // a reopen: its SLA runs again
  });

  it('has none when the due time is missing or not a time', () => {
    for (const sla_due_at of [undefined, null, '1000', Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(slaDueAt({ ...running, sla_due_at })).toBeNull();
    }
    expect(slaDueAt(undefined)).toBeNull();
  });

  it('reads a rating of 1 to 5 stars, and none otherwise', () => {
    expect(CSAT_MAX).toBe(5);
    expect([1, 3, 5].map((rating) => csatOf({ csat: { rating, at: 1, opening: 1 } }))).toEqual([1, 3, 5]);
    for (const csat of [undefined, null, {}, { rating: 0 }, { rating: 6 }, { rating: 4.5 }, { rating: '4' }]) {
      expect(csatOf({ csat })).toBeNull();
    }
  });
});
