import { describe, expect, it } from 'vitest';
import { STATUSES, statusOf } from './status.js';

describe('statusOf', () => {
  it.each(STATUSES)('keeps %s', (status) => {
    expect(statusOf({ status })).toBe(status);
  });

  it('reads a missing or unknown status as open', () => {
    expect(statusOf({})).toBe('open');
    expect(statusOf({ status: null })).toBe('open');
    expect(statusOf({ status: 'snoozed' })).toBe('open');
    expect(statusOf(undefined)).toBe('open');
  });
});
