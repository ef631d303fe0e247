import { defineStore } from 'pinia';
import { ref } from 'vue';
import * as desk from '../api/desk.js';
import { newClientId } from '../utils/clientId.js';
import { useSessionStore } from './session.js';

// A delivery state never goes back to `queued` once it has been settled.
const SETTLED = { queued: 0, sent: 1, failed: 1 };

function laterDelivery(held, incoming) {
  if (!held) return incoming ?? null;
  if (!incoming) return held;
  return (SETTLED[incoming.state] ?? 0) >= (SETTLED[held.state] ?? 0) ? incoming : held;
}

/** Same message: same server id, or same idempotency key (an optimistic bubble). */
function sameMessage(a, b) {
  return Boolean((a.id && a.id === b.id) || (a.client_id && a.client_id === b.client_id));
}

function combine(held, incoming) {
  return { ...held, ...incoming, id: incoming.id || held.id, delivery: laterDelivery(held.delivery, incoming.delivery) };
}

/** Insert or update `message` in a list kept oldest first, with no duplicates. */
function mergeInto(list, message) {
  const at = list.findIndex((held) => sameMessage(held, message));
  if (at >= 0) {
    list[at] = combine(list[at], message);
    return;
  }
  let i = list.length;
  while (i > 0 && (list[i - 1].date ?? 0) > (message.date ?? 0)) i -= 1;
  list.splice(i, 0, message);
}

/** Each conversation's messages, oldest first, merged from the API and the socket. */
export const useMessagesStore = defineStore('messages', () => {
  const byChat = ref({});
  const loading = ref({});
  const loadError = ref({});
  // Delivery states that arrived before their message did, by client_id or message id.
  const early = new Map();

  const forChat = (chatId) => byChat.value[chatId] ?? [];
  const isLoading = (chatId) => Boolean(loading.value[chatId]);
  const errorFor = (chatId) => loadError.value[chatId] ?? null;

  function takeEarly(message) {
    for (const key of [message.client_id, message.id]) {
      if (key && early.has(key)) {
        const delivery = early.get(key);
        early.delete(key);
        return { ...message, delivery: laterDelivery(message.delivery, delivery) };
      }
    }
    return message;
  }

  function listFor(chatId) {
    if (!byChat.value[chatId]) byChat.value[chatId] = [];
    return byChat.value[chatId]; // the reactive array, not the raw one just stored
  }

  function add(chatId, message) {
    mergeInto(listFor(chatId), takeEarly(message));
  }

  /** A message from the socket: kept only for conversations already loaded. */
  function receive(message) {
    if (!message || !byChat.value[message.chat_id]) return;
    add(message.chat_id, message);
  }

  /** Load a conversation's history and merge it with what is held (no duplicates). */
  async function fetch(chatId) {
    listFor(chatId); // from now on socket messages for this chat are kept, even mid-load
    loading.value[chatId] = true;
    try {
      const { messages } = await desk.listMessages(chatId);
      messages.forEach((message) => add(chatId, message));
      loadError.value[chatId] = null;
    } catch (error) {
      loadError.value[chatId] = error;
    } finally {
      loading.value[chatId] = false;
    }
  }

  /** A `delivery` event, or a local failure: update that bubble's tick. */
  function applyDelivery({ chat_id: chatId, client_id: clientId, message_id: messageId, state, reason }) {
    const delivery = reason ? { state, reason } : { state };
    const list = byChat.value[chatId];
    const probe = { id: messageId, client_id: clientId };
    const at = list ? list.findIndex((held) => sameMessage(held, probe)) : -1;
    if (at >= 0) {
      const held = list[at];
      list[at] = { ...held, id: held.id || messageId || null, delivery: laterDelivery(held.delivery, delivery) };
    } else if (list) {
      early.set(clientId || messageId, delivery);
    }
  }

  /** Show the agent's answer at once as queued, then follow the server's word on it. */
  async function send(chatId, text) {
    const clientId = newClientId();
    const { agent } = useSessionStore();
    add(chatId, {
      id: null,
      client_id: clientId,
      type: 'AGENT',
      chat_id: chatId,
      date: Date.now() / 1000,
      text,
      media: null,
      direction: 'out',
      agent: agent ? { username: agent.username, name: agent.name } : null,
      delivery: { state: 'queued' },
    });
    try {
      const { message } = await desk.sendMessage(chatId, text, clientId);
      add(chatId, { ...message, client_id: message.client_id || clientId });
    } catch (error) {
      applyDelivery({ chat_id: chatId, client_id: clientId, state: 'failed', reason: error.message });
    }
    return clientId;
  }

  function reset() {
    byChat.value = {};
    loading.value = {};
    loadError.value = {};
    early.clear();
  }

  return { byChat, forChat, isLoading, errorFor, receive, fetch, applyDelivery, send, reset };
});
