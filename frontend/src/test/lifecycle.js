// Spec helpers for the conversation lifecycle's marks (components/lifecycle/): a fixed present on
// fake timers, time passing on it, and which of the marks a mounted component shows.
import { afterEach, beforeEach, vi } from 'vitest';
import { nextTick } from 'vue';

/** The specs' present, in epoch seconds (as the API's timestamps). */
export const NOW = 1_800_000_000;

/** Fake timers with the clock at `seconds`, for each test of the calling describe; real ones after. */
export function fakeClock(seconds = NOW) {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(seconds * 1000);
  });
  afterEach(() => vi.useRealTimers());
}

/** Let `seconds` pass on the fake clock, and the DOM catch up. */
export async function tick(seconds) {
  vi.advanceTimersByTime(seconds * 1000);
  await nextTick();
}

export const MARKS = ['sla-badge', 'priority-badge', 'csat-stars'];

/** The lifecycle marks that `wrapper` shows, by data-testid. */
export const marksShown = (wrapper) => MARKS.filter((testid) => wrapper.find(`[data-testid="${testid}"]`).exists());
