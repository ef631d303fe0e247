import { describe, expect, it } from 'vitest';
import { createSessionGuard } from './sessionGuard.js';

describe('session guard', () => {
  it('keeps an answer of the session it was asked in, and only that one', () => {
    const guard = createSessionGuard();
    const first = guard.current();
    expect(first()).toBe(true);
    guard.end();
    expect(first()).toBe(false);
    const second = guard.current();
    expect(second()).toBe(true);
    expect(first()).toBe(false);
  });

  it('keeps separate guards apart', () => {
    const [a, b] = [createSessionGuard(), createSessionGuard()];
    const live = a.current();
    b.end();
    expect(live()).toBe(true);
  });
});
