import { onScopeDispose, ref, toValue, watch } from 'vue';
import * as desk from '../api/desk.js';

// How often an open stats page asks again. The relay holds each window's figures 10 s
// (realtime/stats.py CACHE_S), and the metrics step writes a series once a minute by default.
export const REFRESH_MS = 30_000;

/**
 * The desk's figures over `span` (a ref or getter of one of rules.js's STATS_WINDOWS), fetched now,
 * again whenever the span changes, and every REFRESH_MS while the page is visible, until the
 * caller's scope ends. `stats` is null until the span's first answer (a new span clears it: the
 * figures of another span are not shown under this one); `loading` while a request is out;
 * `error` the last failure (an ApiError), cleared by the next answer; `refresh()` asks now.
 * Only the latest request's answer is kept.
 */
export function useStats(span, { interval = REFRESH_MS } = {}) {
  const stats = ref(null);
  const loading = ref(false);
  const error = ref(null);
  let latest = 0;
  let ended = false;

  async function refresh() {
    const ticket = ++latest;
    loading.value = true;
    try {
      const answer = await desk.stats(toValue(span));
      if (ended || ticket !== latest) return;
      stats.value = answer;
      error.value = null;
    } catch (failure) {
      if (ended || ticket !== latest) return;
      error.value = failure;
    } finally {
      if (!ended && ticket === latest) loading.value = false;
    }
  }

  const timer = setInterval(() => {
    if (globalThis.document?.visibilityState !== 'hidden') refresh();
  }, interval);

  watch(() => toValue(span), () => {
    stats.value = null;
    error.value = null;
    refresh();
  }, { immediate: true });

  onScopeDispose(() => {
    ended = true;
    clearInterval(timer);
  });

  return { stats, loading, error, refresh };
}
