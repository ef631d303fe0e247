import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import * as desk from '../api/desk.js';
import { SEARCH_MAX, SEARCH_MIN } from '../api/rules.js';
import { profileName } from '../composables/useCustomer.js';
import { breachedOf } from '../utils/lifecycle.js';
import { matcher } from '../utils/search.js';
import { statusOf } from '../utils/status.js';
import { useMessagesStore } from './messages.js';
import { createSessionGuard } from './sessionGuard.js';
import { useSessionStore } from './session.js';

const byRecency = (a, b) => (b.updated_at ?? 0) - (a.updated_at ?? 0) || b.chat_id - a.chat_id;

/**
 * The chat list's tabs, in the order they are shown: All first, and chosen at first, as in
 * Telegram (nothing is hidden until the agent narrows the list); then the agent's queues (Mine,
 * Unassigned, Breached: the SLA passed with no answer), then the statuses.
 */
export const TABS = Object.freeze(['all', 'mine', 'unassigned', 'breached', 'open', 'pending', 'resolved']);
export const DEFAULT_TAB = 'all';
const TAB_KEY = 'teledesk.chatTab';

export const SEARCH_DELAY_MS = 250;

/** Whether the agent can see the page: a hidden tab reads nothing. */
const pageVisible = () => !globalThis.document?.hidden;

const ongoing = (c) => statusOf(c) !== 'resolved';

// Mine, Unassigned and Breached are work queues: a resolved conversation has left them.
const IN_TAB = {
  mine: (c, me) => Boolean(me) && c.assignee === me && ongoing(c),
  unassigned: (c) => !c.assignee && ongoing(c),
  breached: (c) => breachedOf(c) && ongoing(c),
  open: (c) => statusOf(c) === 'open',
  pending: (c) => statusOf(c) === 'pending',
  resolved: (c) => statusOf(c) === 'resolved',
  all: () => true,
};

/**
 * What the agent typed, as a test of a conversation: its name, @username or the last message's
 * text holds the query by the relay's search rule (utils/search.js: "garcia" finds "García",
 * "garcí" does not find "Garcia").
 */
function matching(query) {
  const q = String(query ?? '').trim();
  if (!q) return () => true;
  const found = matcher(q);
  return ({ customer, last_message: last }) => {
    const username = customer?.username ? `@${customer.username}` : '';
    const text = last?.direction === 'note' ? '' : last?.text;
    return [profileName(customer), username, text].some((field) => found(field ?? ''));
  };
}

/** Whether a conversation matches what the agent typed. */
export const matches = (conversation, query) => matching(query)(conversation);

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
  const actionFailure = ref(null); // { chatId, error }: the last action that failed, and on which chat
  const busy = ref(false);
  const reads = new Map(); // chat_id -> { again } while a /read call is in flight
  const session = createSessionGuard(); // answers asked for before reset() are dropped

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
  const visible = computed(() => {
    const found = matching(query.value);
    return sorted.value.filter((c) => IN_TAB[tab.value](c, me.value) && found(c));
  });
  const counts = computed(() => Object.fromEntries(TABS.map(
    (name) => [name, sorted.value.filter((c) => IN_TAB[name](c, me.value)).length],
  )));
  const totalUnread = computed(() => sorted.value.reduce((sum, c) => sum + (c.unread || 0), 0));

  const isActive = (chatId) => chatId != null && chatId === activeChatId.value;

  /** Why the last action on `chatId` failed, or null. */
  const actionErrorFor = (chatId) => (
    chatId != null && actionFailure.value?.chatId === chatId ? actionFailure.value.error : null);
  /**
   * The action error the header shows: the open conversation's; never another chat's while one
   * is open. With none open (no header in the desk; a header mounted on its own) the last one.
   */
  const actionError = computed(() => (activeChatId.value == null
    ? actionFailure.value?.error ?? null : actionErrorFor(activeChatId.value)));

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
   * cannot undo a newer event. The open conversation is read as it arrives, if the agent
   * can see it.
   */
  function upsert(conversation) {
    if (!conversation || conversation.chat_id == null) return;
    const held = byId.value[conversation.chat_id];
    if (held && (conversation.updated_at ?? 0) < (held.updated_at ?? 0)) return;
    const next = { ...conversation };
    if (next.unread > 0 && readIfSeen(next.chat_id)) next.unread = 0;
    byId.value[next.chat_id] = next;
  }

  async function fetchAll() {
    const live = session.current();
    loading.value = true;
    try {
      const { conversations } = await desk.listConversations();
      if (!live()) return;
      conversations.forEach(upsert);
      loadError.value = null;
    } catch (error) {
      if (live()) loadError.value = error;
    } finally {
      if (live()) loading.value = false;
    }
  }

  /**
   * Read `chatId` (the open one by default) if it is open and the page is visible: a message
   * that arrives while the tab is hidden stays unread until the agent comes back. True if read.
   */
  function readIfSeen(chatId = activeChatId.value) {
    if (!isActive(chatId) || !pageVisible()) return false;
    markRead(chatId);
    return true;
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
    const live = session.current();
    try {
      while (state.again) {
        state.again = false;
        const answer = await desk.markRead(chatId);
        // A chat opened from a search hit may not be in the list (it holds the newest 200): now it is.
        if (live() && answer?.conversation && !byId.value[chatId]) upsert(answer.conversation);
      }
    } catch {
      // the next message or the next open reads it again
    } finally {
      reads.delete(chatId);
    }
  }

  function open(chatId) {
    activeChatId.value = chatId;
    actionFailure.value = null;
    useMessagesStore().fetch(chatId);
    markRead(chatId);
  }

  function close() {
    activeChatId.value = null;
  }

  async function act(call, chatId, ...args) {
    const live = session.current();
    busy.value = true;
    actionFailure.value = null;
    try {
      const { conversation } = await call(chatId, ...args);
      if (live()) upsert(conversation);
    } catch (error) {
      if (live()) actionFailure.value = { chatId, error };
    } finally {
      if (live()) busy.value = false;
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
    session.end();
    stopSearch();
    byId.value = {};
    activeChatId.value = null;
    loading.value = false;
    loadError.value = null;
    actionFailure.value = null;
    busy.value = false;
    query.value = '';
    messageHits.value = [];
    searchError.value = null;
  }

  return {
    byId, activeChatId, loading, loadError, actionError, actionErrorFor, busy, sorted, active,
    tab, query, messageHits, searching, searchError, visible, counts, totalUnread,
    upsert, fetchAll, markRead, readIfSeen, open, close, assign, pending, resolve, reopen, start,
    setTab, search, reset,
  };
});
