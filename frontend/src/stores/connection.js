import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import * as desk from '../api/desk.js';

export const HEALTH_POLL_MS = 60_000;
// A webhook that works leaves a handful of updates waiting at most; hundreds mean Telegram
// cannot deliver and customers' messages are queueing up there.
export const PENDING_UPDATES_HIGH = 100;
// Telegram keeps the last webhook error after it recovers; an old one is history, not news.
export const ERROR_RECENT_S = 3600;

/**
 * What Telegram's webhook health says is wrong, if anything: a recent delivery error, many
 * waiting updates, or Telegram out of reach. `telegram` is /api/health's `telegram` object.
 */
export function webhookProblem(telegram, nowS = Date.now() / 1000) {
  if (!telegram) return null;
  const recent = telegram.last_error_date == null || nowS - telegram.last_error_date < ERROR_RECENT_S;
  if (telegram.last_error_message && recent) return { kind: 'error', reason: telegram.last_error_message };
  if ((telegram.pending_update_count ?? 0) >= PENDING_UPDATES_HIGH) return { kind: 'pending', count: telegram.pending_update_count };
  if (telegram.error) return { kind: 'unreachable', reason: telegram.error };
  return null;
}

/**
 * The real-time link's state (`connecting`, `connected` or `disconnected`), and how the
 * relay's link from Telegram (the webhook) is doing, from /api/health.
 */
export const useConnectionStore = defineStore('connection', () => {
  const state = ref('disconnected');
  const telegram = ref(null);

  const webhook = computed(() => webhookProblem(telegram.value));

  function set(next) {
    state.value = next;
  }

  /** Ask /api/health; a 503 (relay starting) still carries the report. Unreachable: no news. */
  async function checkHealth() {
    try {
      telegram.value = (await desk.health())?.telegram ?? null;
    } catch (error) {
      if (error?.body?.telegram) telegram.value = error.body.telegram;
    }
  }

  return { state, telegram, webhook, set, checkHealth };
});
