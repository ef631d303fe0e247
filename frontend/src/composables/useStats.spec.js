import { flushPromises } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { effectScope, nextTick, ref } from 'vue';
import { ApiError } from '../api/client.js';
import * as desk from '../api/desk.js';
import { REFRESH_MS, useStats } from './useStats.js';

vi.mock('../api/desk.js');

const figures = (span) => ({ window_s: { '1h': 3600, '7d': 604800 }[span] ?? 86400, messages: { CLIENT: 1 } });

function started(span) {
  const scope = effectScope();
  const state = scope.run(() => useStats(span));
  return { scope, ...state };
}

/** Answers that wait until the test lets them go: `answer(i)` settles the i-th request. */
function heldAnswers() {
  const held = [];
  desk.stats.mockImplementation((span) => new Promise((resolve, reject) => held.push({ span, resolve, reject })));
  return held;
}

describe('useStats', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('asks for the span at once and holds the answer; loading meanwhile', async () => {
    const held = heldAnswers();
    const { scope, stats, loading, error } = started(ref('1h'));
    expect(desk.stats).toHaveBeenCalledWith('1h');
    expect([stats.value, loading.value]).toEqual([null, true]);
    held[0].resolve(figures('1h'));
    await flushPromises();
    expect([stats.value.window_s, loading.value, error.value]).toEqual([3600, false, null]);
    scope.stop();
  });

  it('asks again when the span changes, shows nothing of the old span and drops its late answer', async () => {
    const held = heldAnswers();
    const span = ref('1h');
    const { scope, stats } = started(span);
    held[0].resolve(figures('1h'));
    await flushPromises();
    span.value = '7d';
    await nextTick();
    expect(stats.value).toBeNull(); // not the last hour's figures under "7 days"
    span.value = '24h';
    await nextTick();
    expect(held.map((request) => request.span)).toEqual(['1h', '7d', '24h']);
    held[2].resolve(figures('24h'));
    held[1].resolve(figures('7d')); // late: the span is no longer 7d
    await flushPromises();
    expect(stats.value.window_s).toBe(86400);
    scope.stop();
  });

  it('refreshes every REFRESH_MS while the page is visible, and stops with its scope', async () => {
    desk.stats.mockResolvedValue(figures('24h'));
    const { scope } = started(() => '24h');
    await flushPromises();
    vi.advanceTimersByTime(REFRESH_MS);
    expect(desk.stats).toHaveBeenCalledTimes(2);
    const visibility = vi.spyOn(document, 'visibilityState', 'get').mockReturnValue('hidden');
    vi.advanceTimersByTime(REFRESH_MS);
    expect(desk.stats).toHaveBeenCalledTimes(2); // a hidden tab asks nothing
    visibility.mockReturnValue('visible');
    scope.stop();
    vi.advanceTimersByTime(3 * REFRESH_MS);
    expect(desk.stats).toHaveBeenCalledTimes(2);
  });

  it('keeps a failure until the next answer, and the figures it had', async () => {
    desk.stats.mockResolvedValueOnce(figures('24h')).mockRejectedValueOnce(new ApiError(500, 'internal server error'))
      .mockResolvedValueOnce({ ...figures('24h'), messages: { CLIENT: 2 } });
    const { scope, stats, error, loading, refresh } = started(ref('24h'));
    await flushPromises();
    await refresh();
    expect([error.value.status, stats.value.messages.CLIENT, loading.value]).toEqual([500, 1, false]);
    await refresh();
    expect([error.value, stats.value.messages.CLIENT]).toEqual([null, 2]);
    scope.stop();
  });

  it('drops an answer that comes after its scope ended', async () => {
    const held = heldAnswers();
    const { scope, stats, loading } = started(ref('24h'));
    scope.stop();
    held[0].resolve(figures('24h'));
    await flushPromises();
    expect([stats.value, loading.value]).toEqual([null, true]);
  });
});
