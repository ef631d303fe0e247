import { defineStore } from 'pinia';
import { markRaw, ref } from 'vue';
import * as desk from '../api/desk.js';
import { PAGE_SIZE } from '../api/rules.js';
import { newClientId } from '../utils/clientId.js';
import { createSessionGuard } from './sessionGuard.js';
import { useSessionStore } from './session.js';

/** A history page holds PAGE_SIZE messages at most (api/rules.js); a shorter one is the last. */
export { PAGE_SIZE };

// A delivery state never goes back to `queued` once it has been settled (a retry says so itself).
const SETTLED = { queued: 0, sent: 1, failed: 1 };
// After a refetch, how many older pages the console asks for at most to learn what became of the
// answers it still shows on their way (`refreshUnsettled`).
const UNSETTLED_PAGES = 10;

function laterDelivery(held, incoming) {
  if (!held) return incoming ?? null;
  if (!incoming) return held;
  const [heldRetry, newRetry] = [held.retry ?? 0, incoming.retry ?? 0];
  if (newRetry !== heldRetry) return newRetry > heldRetry ? incoming : held; // a retry starts over
  return (SETTLED[incoming.state] ?? 0) >= (SETTLED[held.state] ?? 0) ? incoming : held;
}

/** Same message: same server id, or same idempotency key (an optimistic bubble). */
function sameMessage(a, b) {
  return Boolean((a.id && a.id === b.id) || (a.client_id && a.client_id === b.client_id));
}

const revisionOf = (message) => Number(message.revision) || 0;

/**
 * The server's media has no file URL until Telegram has the file: keep the local preview till
 * then. Once there, a URL stays: the upload's own answer (queued, no URL yet) may arrive after
 * the socket told of the sent file.
 */
function keepPreview(held, incoming) {
  if (!incoming || incoming.url || incoming.local_url) return incoming;
  if (held?.url) return { ...incoming, url: held.url, file_id: incoming.file_id ?? held.file_id };
  return held?.local_url ? { ...incoming, local_url: held.local_url } : incoming;
}

/**
 * The held message updated by `incoming`: a higher revision (an edit, a delete, a reaction)
 * replaces it, a lower one is stale and only its delivery news is kept.
 */
function combine(held, incoming) {
  const delivery = laterDelivery(held.delivery, incoming.delivery);
  const [heldRevision, newRevision] = [revisionOf(held), revisionOf(incoming)];
  if (newRevision < heldRevision) return { ...held, delivery };
  const base = newRevision > heldRevision ? { client_id: held.client_id } : held;
  const media = 'media' in incoming ? keepPreview(held.media, incoming.media) : held.media;
  return { ...base, ...incoming, id: incoming.id || held.id, media, delivery };
}

/** Whether `a` goes after `b` in the conversation: by date, then by when the relay stored them. */
function after(a, b) {
  const [dateA, dateB] = [a.date ?? 0, b.date ?? 0];
  if (dateA !== dateB) return dateA > dateB;
  return a.stored_at != null && b.stored_at != null && a.stored_at > b.stored_at;
}

/** Free an upload's local preview (an object URL) that `next` no longer shows. */
function dropPreview(held, next = null) {
  const url = held?.media?.local_url;
  if (url && url !== next?.media?.local_url) globalThis.URL?.revokeObjectURL?.(url);
}

/** Put `next` in place of the message at `at`, freeing the preview it no longer needs. */
function replaceAt(list, at, next) {
  dropPreview(list[at], next);
  list[at] = next;
}

/** Take the message at `at` out of the list (if there is one there), with its preview. */
function removeAt(list, at) {
  if (at < 0 || at >= list.length) return;
  dropPreview(list[at]);
  list.splice(at, 1);
}

/**
 * Why a request of this console failed, for the tick: the relay's own words when it gave some,
 * else a key the tick translates (the browser's "network error" is English whatever the language).
 */
function localFailure(error) {
  return error?.key ? { reason: error.message, reason_key: error.key, reason_params: error.params ?? {} }
    : { reason: error?.message };
}

const stampsOf = (messages) => messages.map((m) => m.stored_at).filter((s) => s != null);

/** Insert or update `message` in a list kept oldest first, with no duplicates. */
function mergeInto(list, message) {
  const at = list.findIndex((held) => sameMessage(held, message));
  if (at >= 0) {
    replaceAt(list, at, combine(list[at], message));
    return;
  }
  let i = list.length;
  while (i > 0 && after(list[i - 1], message)) i -= 1;
  list.splice(i, 0, message);
}

/** A refusal (4xx): the request itself is wrong, so sending it again would not help. */
const refused = (error) => error?.status >= 400 && error?.status < 500;

/** What an uploaded file will be on Telegram, for the optimistic bubble (the relay decides). */
export function guessKind(file) {
  const type = file?.type || '';
  if (type.startsWith('image/')) return 'photo';
  if (type.startsWith('video/')) return 'video';
  if (type === 'audio/ogg') return 'voice';
  return 'document';
}

/** Each conversation's messages, oldest first, merged from the API and the socket. */
export const useMessagesStore = defineStore('messages', () => {
  const byChat = ref({});
  const loading = ref({});
  const loadError = ref({});
  const older = ref({}); // chatId → { loading, done }: paging back through the history
  // Delivery states that arrived before their message did, by client_id or message id.
  const early = new Map();
  // What an optimistic bubble was sent with, by client_id, to send it again if the request failed.
  const pending = new Map();
  const session = createSessionGuard(); // answers asked for before reset() are dropped

  const forChat = (chatId) => byChat.value[chatId] ?? [];
  const isLoading = (chatId) => Boolean(loading.value[chatId]);
  const errorFor = (chatId) => loadError.value[chatId] ?? null;
  const hasOlder = (chatId) => Boolean(byChat.value[chatId]) && !older.value[chatId]?.done;
  const isLoadingOlder = (chatId) => Boolean(older.value[chatId]?.loading);

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

  /** The held message with this server id or client id. */
  function find(chatId, key) {
    return forChat(chatId).find((held) => held.id === key || (held.client_id && held.client_id === key)) ?? null;
  }

  /** Overwrite a held message's fields (a local change: no revision rules). */
  function patch(chatId, key, changes) {
    const list = forChat(chatId);
    const at = list.findIndex((held) => held.id === key || (held.client_id && held.client_id === key));
    if (at >= 0) replaceAt(list, at, { ...list[at], ...changes });
  }

  /** A message from the socket: kept only for conversations already loaded. */
  function receive(message) {
    if (!message || !byChat.value[message.chat_id]) return;
    add(message.chat_id, message);
  }

  /**
   * A refetch's full page that starts after the newest message held when it was asked for
   * (the socket was down longer than a page): more was missed than the page holds. The held
   * messages before it are dropped (messages without `stored_at`, unsent bubbles, stay) and
   * paging starts again from the page's oldest, so loadOlder fills the hole in order.
   */
  function skipHole(chatId, page, newestHeld) {
    const stamps = stampsOf(page);
    if (newestHeld == null || page.length < PAGE_SIZE || !stamps.length) return;
    const oldest = Math.min(...stamps);
    if (oldest <= newestHeld) return;
    const list = forChat(chatId);
    for (let at = list.length - 1; at >= 0; at -= 1) {
      if (list[at].stored_at != null && list[at].stored_at < oldest) removeAt(list, at);
    }
    older.value[chatId] = { loading: false, done: false };
  }

  /**
   * Answers held as queued that a refetched newest page no longer covers (older than its oldest)
   * were settled, maybe while the socket was down, and their `delivery` event is not sent again:
   * the pages back to the oldest of them are asked for, so a failed answer is shown as failed.
   */
  async function refreshUnsettled(chatId, page, live) {
    let before = page.length >= PAGE_SIZE && stampsOf(page).length ? Math.min(...stampsOf(page)) : null;
    const uncovered = (held) => held.delivery?.state === 'queued' && held.stored_at != null && held.stored_at < before;
    for (let pages = 0; before != null && pages < UNSETTLED_PAGES && forChat(chatId).some(uncovered); pages += 1) {
      const { messages } = await desk.listMessages(chatId, before);
      if (!live()) return;
      messages.forEach((message) => add(chatId, message));
      before = messages.length >= PAGE_SIZE && stampsOf(messages).length ? Math.min(...stampsOf(messages)) : null;
    }
  }

  /** Load a conversation's newest page and merge it with what is held (no duplicates). */
  async function fetch(chatId) {
    const live = session.current();
    const held = stampsOf(listFor(chatId)); // from now on socket messages for this chat are kept, even mid-load
    const newestHeld = held.length ? Math.max(...held) : null;
    loading.value[chatId] = true;
    try {
      const { messages } = await desk.listMessages(chatId);
      if (!live()) return;
      skipHole(chatId, messages, newestHeld);
      messages.forEach((message) => add(chatId, message));
      await refreshUnsettled(chatId, messages, live);
      if (!live()) return;
      loadError.value[chatId] = null;
      // Only the first load says whether there is more: a refetch cannot undo a finished paging.
      if (!older.value[chatId]) older.value[chatId] = { loading: false, done: messages.length < PAGE_SIZE };
    } catch (error) {
      if (live()) loadError.value[chatId] = error;
    } finally {
      if (live()) loading.value[chatId] = false;
    }
  }

  /** The page before the oldest held message; stops once a page comes back short. */
  async function loadOlder(chatId) {
    if (!hasOlder(chatId) || isLoadingOlder(chatId)) return;
    const stamps = stampsOf(forChat(chatId));
    if (!stamps.length) return;
    older.value[chatId] = { loading: true, done: false };
    // Stale once the session ends or a refetch starts the paging again (skipHole).
    const paging = older.value[chatId];
    const live = session.current();
    const current = () => live() && older.value[chatId] === paging;
    let done = false;
    try {
      const { messages } = await desk.listMessages(chatId, Math.min(...stamps));
      if (!current()) return;
      messages.forEach((message) => add(chatId, message));
      done = messages.length < PAGE_SIZE;
    } catch {
      // a scroll to the top asks again
    } finally {
      if (current()) older.value[chatId] = { loading: false, done };
    }
  }

  /** A `delivery` event, or a local failure: update that bubble's tick. */
  function applyDelivery({
    chat_id: chatId, client_id: clientId, message_id: messageId, state, reason, cause, retry, reason_key: key,
    reason_params: params,
  }) {
    const delivery = { state, ...(reason ? { reason } : {}), ...(cause ? { cause } : {}), ...(retry ? { retry } : {}),
      ...(key ? { reason_key: key, reason_params: params } : {}) };
    const list = byChat.value[chatId];
    const probe = { id: messageId, client_id: clientId };
    const at = list ? list.findIndex((held) => sameMessage(held, probe)) : -1;
    if (at >= 0) {
      const held = list[at];
      replaceAt(list, at, { ...held, id: held.id || messageId || null, delivery: laterDelivery(held.delivery, delivery) });
    } else if (list) {
      early.set(clientId || messageId, delivery);
    }
  }

  /**
   * Show an outgoing message at once as queued, then follow the server's word on it. A refusal
   * (4xx) takes the bubble away and throws, so the composer gives the draft back with the
   * reason; a lost request leaves the bubble failed, to be retried with the same client_id.
   */
  async function dispatch(chatId, draft, request) {
    const clientId = newClientId();
    const { agent } = useSessionStore();
    add(chatId, {
      id: null,
      client_id: clientId,
      type: 'AGENT',
      chat_id: chatId,
      date: Date.now() / 1000,
      text: '',
      media: null,
      direction: 'out',
      agent: agent ? { username: agent.username, name: agent.name } : null,
      delivery: { state: 'queued' },
      ...draft,
    });
    pending.set(clientId, request);
    await deliver(chatId, clientId, request);
    return clientId;
  }

  /**
   * Send `request` and take the relay's answer. A refusal of a first send takes the bubble back
   * and throws; a refused retry (`takeBack` false) leaves the bubble failed with the reason.
   */
  async function deliver(chatId, clientId, request, { takeBack = true } = {}) {
    const live = session.current();
    try {
      const { message } = await request(clientId);
      if (!live()) return;
      pending.delete(clientId);
      // A note is never delivered to Telegram: once stored, it is done.
      const delivery = message.delivery ?? (message.direction === 'note' ? { state: 'sent' } : undefined);
      add(chatId, { ...message, client_id: message.client_id || clientId, ...(delivery ? { delivery } : {}) });
    } catch (error) {
      if (!live()) return;
      if (takeBack && refused(error) && !find(chatId, clientId)?.id) {
        pending.delete(clientId);
        const list = forChat(chatId);
        removeAt(list, list.findIndex((held) => held.client_id === clientId));
        throw error;
      }
      applyDelivery({ chat_id: chatId, client_id: clientId, state: 'failed', ...localFailure(error) });
    }
  }

  /** An answer to the customer; `replyTo` (a stored message id) quotes that message. */
  function send(chatId, text, { replyTo = null } = {}) {
    return dispatch(chatId, { text, ...(replyTo ? { reply_to: { message_id: replyTo } } : {}) },
      (clientId) => desk.sendMessage(chatId, text, clientId, replyTo));
  }

  /** A private note: only the agents see it. */
  function sendNote(chatId, text) {
    return dispatch(chatId, { text, direction: 'note', private: true },
      (clientId) => desk.sendNote(chatId, text, clientId));
  }

  /** A file, shown at once (an image with a local preview) while it uploads. */
  function sendMedia(chatId, file, { caption = '', replyTo = null, kind = null } = {}) {
    const shownKind = kind || guessKind(file);
    const media = {
      kind: shownKind, filename: file.name, mime_type: file.type, size: file.size,
      ...(shownKind === 'photo' && globalThis.URL?.createObjectURL ? { local_url: URL.createObjectURL(file) } : {}),
    };
    const raw = markRaw(file); // FormData needs the File itself, not a reactive proxy of it
    return dispatch(chatId, { text: caption, media, ...(replyTo ? { reply_to: { message_id: replyTo } } : {}) },
      (clientId) => desk.sendMedia(chatId, raw, clientId, { caption, kind, replyTo }));
  }

  /**
   * Send a failed message again: one the relay holds goes through its retry (same id, back to
   * queued); one whose request never arrived is sent again with its client_id (idempotent).
   */
  async function retry(chatId, messageId) {
    const held = find(chatId, messageId);
    if (!held || held.delivery?.state !== 'failed') return;
    patch(chatId, messageId, { delivery: { state: 'queued' } });
    if (!held.id && pending.has(held.client_id)) {
      await deliver(chatId, held.client_id, pending.get(held.client_id), { takeBack: false });
      return;
    }
    const live = session.current();
    try {
      const { message } = await desk.retryMessage(chatId, held.id);
      if (message && live()) add(chatId, message);
    } catch (error) {
      if (live()) patch(chatId, messageId, { delivery: { state: 'failed', ...localFailure(error) } });
    }
  }

  /** Edit an answer's text (or a file's caption); the new state comes back as a `message` event. */
  async function edit(chatId, messageId, text) {
    await desk.editMessage(chatId, messageId, text);
  }

  /** Delete an answer from the customer's chat; the `message` event marks it deleted. */
  async function remove(chatId, messageId) {
    await desk.deleteMessage(chatId, messageId);
  }

  function reset() {
    session.end();
    for (const list of Object.values(byChat.value)) list.forEach((m) => dropPreview(m));
    byChat.value = {};
    loading.value = {};
    loadError.value = {};
    older.value = {};
    early.clear();
    pending.clear();
  }

  return {
    byChat, forChat, find, isLoading, errorFor, hasOlder, isLoadingOlder, receive, fetch, loadOlder,
    applyDelivery, send, sendNote, sendMedia, retry, edit, remove, reset,
  };
});
