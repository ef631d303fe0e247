import { toValue } from 'vue';
import * as desk from '../api/desk.js';
import { useTeamStore } from '../stores/team.js';

// Telegram shows "typing…" for about 5 s per chat action, so one every 4 s keeps it lit while
// the agent types without a request per keystroke.
export const CUSTOMER_EVERY_MS = 4000;

/** True (and remembered) when the last call for `key` is at least `every` ms old. */
function due(last, key, every) {
  const now = Date.now();
  if (last.has(key) && now - last.get(key) < every) return false;
  last.set(key, now);
  return true;
}

/**
 * Call `typed()` on each keystroke of a customer reply (never of a private note): the customer
 * sees "typing…" (throttled here, per chat) and the other agents see who is answering (the
 * team store throttles its presence reports itself).
 */
export function useTyping(chatId) {
  const toCustomer = new Map();

  function typed() {
    const id = toValue(chatId);
    if (id == null) return;
    if (due(toCustomer, id, CUSTOMER_EVERY_MS)) {
      // Best effort: a lost "typing…" is not worth bothering the agent about.
      Promise.resolve(desk.typing(id)).catch(() => {});
    }
    useTeamStore().reportTyping(id);
  }

  return { typed };
}
