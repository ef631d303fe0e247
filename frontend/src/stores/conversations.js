import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import * as desk from '../api/desk.js';
import { profileName } from '../composables/useCustomer.js';
import { useMessagesStore } from './messages.js';
import { useSessionStore } from './session.js';

const byRecency = (a, b) => (b.updated_at ?? 0) - (a.updated_at ?? 0) || b.chat_id - a.chat_id;

/**
 * The chat list's tabs, in the order they are shown: All first, and chosen at first, as in
 * Telegram (nothing is hidden until the agent narrows the list); then the agent's queues.
 */
export const TABS = Object.freeze(['all', 'mine', 'unassigned', 'open', 'pending', 'resolved']);
export const DEFAULT_TAB = 'all';
const TAB_KEY = 'teledesk.chatTab';

export const SEARCH_DELAY_MS = 250;
export const SEARCH_MIN = 2; // the relay's /search takes 2 to 100 characters
export const SEARCH_MAX = 100;

const statusOf = (c) => c.status || 'open';
const ongoing = (c) => statusOf(c) !== 'resolved';

// Mine and Unassigned are work queues: a resolved conversation has left them.
const IN_TAB = {
  mine: (c, me) => Boolean(me) && c.assignee === me && ongoing(c),
  unassigned: (c) => !c.assignee && ongoing(c),
  open: (c) => statusOf(c) === 'open',
  pending: (c) => statusOf(c) === 'pending',
  resolved: (c) => statusOf(c) === 'resolved',
  all: () => true,
};

/** Lower case without accents, so "garcia" finds "García". */
export const fold = (text) => String(text ?? '').normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

/** Whether a conversation matches what the agent typed: name, @username or the last message's text. */
export function matches(conversation, query) {
  const needle = fold(query).trim();
  if (!needle) return true;
  const { customer, last_message: last } = conversation;
  const username = customer?.username ? `@${customer.username}` : '';
  const text = last?.direction === 'note' ? '' : last?.text;
  return [profileName(customer), username, text].some((field) => fold(field).includes(needle));
}

function savedTab() {
  try {
    const tab = globalThis.localStorage?.getItem(TAB_KEY);
    return TABS.includes(tab) ? tab : DEFAULT_TAB;
  } catch {
    return DEFAULT_TAB;
  }
}

/**
 * The conversation list, kept sorted by `updated_at` (newest first), and the open one; the
 * tab and search that narrow it (`visible`), and the message hits of the search.
 */
export const useConversationsStore = defineStore('conversations', () => {
  const byId = ref({});
  const activeChatId = ref(null);
  const loading = ref(false);
  const loadError = ref(null);
  const actionError = ref(null);
  const busy = ref(false);
  const reads = new Map(); // chat_id -> { again } while a /read call is in flight

  const tab = ref(savedTab());
  const query = ref('');
  const messageHits = ref([]);
  const searching = ref(false);
  const searchError = ref(null);
  let searchTimer = null;
  let searchRound = 0; // only the newest search's answer is kept

  const me = computed(() => useSessionStore().agent?.username ?? null);
  const sorted = computed(() => Object.values(byId.value).sort(byRecency));
  const active = computed(() => (activeChatId.value == null ? null : byId.value[activeChatId.value] ?? null));
  const visible = computed(() => sorted.value.filter(
    (c) => IN_TAB[tab.value](c, me.value) && matches(c, query.value),
  ));
  const counts = computed(() => Object.fromEntries(TABS.map(
    (name) => [name, sorted.value.filter((c) => IN_TAB[name](c, me.value)).length],
  )));
  const totalUnread = computed(() => sorted.value.reduce((sum, c) => sum + (c.unread || 0), 0));

  const isActive = (chatId) => chatId != null && chatId === activeChatId.value;

  watch(tab, (name) => {
    try {
      globalThis.localStorage?.setItem(TAB_KEY, name);
    } catch {
      // private mode: the choice lasts for this page only
    }
  });

  /**
   * Take a conversation's state from the server (list, socket event or action answer).
   * An older state than the one held (by `updated_at`) is ignored, so a slow refetch
   * cannot undo a newer event. The open conversation is read as it arrives.
   */
  function upsert(conversation) {
    if (!conversation || conversation.chat_id == null) return;
    const held = byId.value[conversation.chat_id];
    if (held && (conversation.updated_at ?? 0) < (held.updated_at ?? 0)) return;
    const next = { ...conversation };
    if (isActive(next.chat_id) && next.unread > 0) {
      next.unread = 0;
      markRead(next.chat_id);
    }
    byId.value[next.chat_id] = next;
  }

  async function fetchAll() {
    loading.value = true;
    try {
      const { conversations } = await desk.listConversations();
      conversations.forEach(upsert);
      loadError.value = null;
    } catch (error) {
      loadError.value = error;
    } finally {
      loading.value = false;
    }
  }

  /**
   * POST /read for a chat. Calls for a chat whose read is in flight are folded into one
   * more call after it, so a message that arrived meanwhile is read too.
   */
  async function markRead(chatId) {
    const held = byId.value[chatId];
    if (held) held.unread = 0;
    const inFlight = reads.get(chatId);
    if (inFlight) {
      inFlight.again = true;
      return;
    }
    const state = { again: true };
    reads.set(chatId, state);
    try {
      while (state.again) {
        state.again = false;
        await desk.markRead(chatId);
      }
    } catch {
      // the next message or the next open reads it again
    } finally {
      reads.delete(chatId);
    }
  }

  function open(chatId) {
    activeChatId.value = chatId;
    actionError.value = null;
    useMessagesStore().fetch(chatId);
    markRead(chatId);
  }

  function close() {
    activeChatId.value = null;
  }

  async function act(call, chatId, ...args) {
    busy.value = true;
    actionError.value = null;
    try {
      const { conversation } = await call(chatId, ...args);
      upsert(conversation);
    } catch (error) {
      actionError.value = error;
    } finally {
      busy.value = false;
    }
  }

  const assign = (chatId, username) => act(desk.assign, chatId, username);
  const pending = (chatId) => act(desk.pending, chatId);
  const resolve = (chatId) => act(desk.resolve, chatId);
  const reopen = (chatId) => act(desk.reopen, chatId);
  const start = (chatId) => act(desk.startConversation, chatId);

  function setTab(name) {
    if (TABS.includes(name)) tab.value = name;
  }

  function stopSearch() {
    clearTimeout(searchTimer);
    searchTimer = null;
    searchRound += 1;
    searching.value = false;
  }

  /**
   * What the agent typed in the search box: the list narrows at once; the messages'
   * text is searched on the relay once typing pauses, for 2 to 100 characters.
   */
  function search(text) {
    query.value = text;
    stopSearch();
    searchError.value = null;
    const q = text.trim();
    if (q.length < SEARCH_MIN || q.length > SEARCH_MAX) {
      messageHits.value = [];
      return;
    }
    searching.value = true;
    const round = searchRound;
    searchTimer = setTimeout(async () => {
      try {
        const answer = await desk.search(q);
        if (round !== searchRound) return;
        (answer.conversations ?? []).forEach(upsert);
        messageHits.value = answer.messages ?? [];
      } catch (error) {
        if (round === searchRound) searchError.value = error;
      } finally {
        if (round === searchRound) searching.value = false;
      }
    }, SEARCH_DELAY_MS);
  }

  function reset() {
    stopSearch();
    byId.value = {};
    activeChatId.value = null;
    loadError.value = null;
    actionError.value = null;
    query.value = '';
    messageHits.value = [];
    searchError.value = null;
  }

  return {
    byId, activeChatId, loading, loadError, actionError, busy, sorted, active,
    tab, query, messageHits, searching, searchError, visible, counts, totalUnread,
    upsert, fetchAll, markRead, open, close, assign, pending, resolve, reopen, start,
    setTab, search, reset,
  };
});
