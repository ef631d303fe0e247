import { onScopeDispose, readonly, ref, toValue, watch } from 'vue';

// The countdowns show seconds, so the clock ticks once a second.
export const TICK_MS = 1000;

const seconds = () => Date.now() / 1000;

// One clock for the whole page: every countdown reads the same `now`, and one interval runs
// while at least one of them needs it (none at all when nothing counts down).
const now = ref(seconds());
let holders = 0;
let timer = null;

function hold() {
  now.value = seconds(); // a countdown that appears starts from the present, not the last tick
  holders += 1;
  if (timer == null) timer = setInterval(() => { now.value = seconds(); }, TICK_MS);
}

function release() {
  holders -= 1;
  if (holders > 0) return;
  clearInterval(timer);
  timer = null;
}

/**
 * The present time in epoch seconds (as the API's timestamps), a read-only ref that ticks every
 * TICK_MS while `active` (a ref, getter or boolean; true by default) is true and the caller's
 * scope lives. Every caller shares the one clock and its one interval.
 */
export function useNow(active = true) {
  let holding = false;
  const set = (on) => {
    if (on === holding) return;
    holding = on;
    if (on) hold(); else release();
  };
  watch(() => Boolean(toValue(active)), set, { immediate: true });
  onScopeDispose(() => set(false));
  return readonly(now);
}
