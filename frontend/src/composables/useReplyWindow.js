import { computed, ref, toValue, watch } from 'vue';
import { useBusinessStore } from '../stores/business.js';
import { accountName, businessOf, mayDeleteSent, replyRefusal, windowClosesAt } from '../utils/business.js';
import { useNow } from './useNow.js';

/** Where the open conversation's reply window is provided to what it draws (the bubbles' menus). */
export const REPLY_WINDOW_KEY = 'teledesk.replyWindow';

/**
 * A conversation's Telegram Business side (utils/business.js), live: its connection (from the
 * business store), the account's name, the time left in the 24-hour reply window (ticking on the
 * page's one clock while the window is open, none once it closed), why an answer would be
 * refused now, whether the conversation is read-only (its connection off) and whether a sent
 * answer may be deleted. `conversation` is a ref, getter or object; a chat with the bot gets
 * nulls and no refusal.
 */
export function useReplyWindow(conversation) {
  const store = useBusinessStore();
  const business = computed(() => businessOf(toValue(conversation)));
  const connection = computed(() => (business.value ? store.connectionOf(business.value.connection_id) : null));
  const closesAt = computed(() => (business.value ? windowClosesAt(business.value) : null));

  // The clock runs while the window is open; `ended` turns true on the tick that closes it (and
  // false again when the customer writes and the window opens anew).
  const ended = ref(false);
  const now = useNow(() => closesAt.value != null && !ended.value);
  watch([closesAt, now], ([closes, at]) => { ended.value = closes != null && at >= closes; }, { immediate: true });

  const left = computed(() => (closesAt.value == null ? null : Math.max(0, Math.ceil(closesAt.value - now.value))));
  const refusal = computed(() => replyRefusal(business.value, connection.value, now.value));
  const readOnly = computed(() => Boolean(business.value && connection.value && !connection.value.is_enabled));
  const mayDelete = computed(() => !business.value || mayDeleteSent(connection.value));
  const account = computed(() => accountName(connection.value));

  return { business, connection, account, closesAt, left, refusal, readOnly, mayDelete };
}
