import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import * as desk from '../api/desk.js';
import { useMessagesStore } from './messages.js';

const byRecency = (a, b) => (b.updated_at ?? 0) - (a.updated_at ?? 0) || b.chat_id - a.chat_id;

/** The conversation list, kept sorted by `updated_at` (newest first), and the open one. */
export const useConversationsStore = defineStore('conversations', () => {
  const byId = ref({});
  const activeChatId = ref(null);
  const loading = ref(false);
  const loadError = ref(null);
  const actionError = ref(null);
  const busy = ref(false);
  const reads = new Map(); // chat_id -> { again } while a /read call is in flight

  const sorted = computed(() => Object.values(byId.value).sort(byRecency));
  const active = computed(() => (activeChatId.value == null ? null : byId.value[activeChatId.value] ?? null));

  const isActive = (chatId) => chatId != null && chatId === activeChatId.value;

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
    const pending = reads.get(chatId);
    if (pending) {
      pending.again = true;
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
  const resolve = (chatId) => act(desk.resolve, chatId);
  const reopen = (chatId) => act(desk.reopen, chatId);

  function reset() {
    byId.value = {};
    activeChatId.value = null;
    loadError.value = null;
    actionError.value = null;
  }

  return {
    byId, activeChatId, loading, loadError, actionError, busy, sorted, active,
    upsert, fetchAll, markRead, open, close, assign, resolve, reopen, reset,
  };
});
