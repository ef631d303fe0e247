import { defineStore } from 'pinia';
import { ref } from 'vue';
import * as desk from '../api/desk.js';
import { createSessionGuard } from './sessionGuard.js';
import { useSessionStore } from './session.js';

// The relay expires a typing report after 6 s; one every 2 s keeps it alive without
// sending an event per keystroke.
export const TYPING_EVERY_MS = 2000;

/**
 * The team: the agents (for assigning and for the admin page) and who has which
 * conversation open, so two agents do not answer the same customer at once.
 *
 * Presence goes out through the socket connector, which `useRealtimeDesk` attaches while
 * signed in; without one (signed out, or in a spec) reports are dropped, as they would
 * be stale by the time a socket came up. The connector re-reports the open chat on every
 * (re)connect.
 */
export const useTeamStore = defineStore('team', () => {
  const agents = ref([]);
  const presence = ref({}); // chat_id -> [{username, name, typing}]
  const adminError = ref(null);
  const adminBusy = ref(false);
  let connector = null;
  let lastTyping = { chatId: null, at: -Infinity };
  const session = createSessionGuard(); // answers asked for before reset() are dropped

  function attach(next) {
    connector = next;
  }

  /** The agents other than me who have `chatId` open. */
  function othersIn(chatId) {
    const me = useSessionStore().agent?.username;
    return (presence.value[chatId] ?? []).filter((agent) => agent.username !== me);
  }

  /** The relay's `presence` event: the full list of who has that chat open. */
  function setPresence({ chat_id: chatId, agents: here } = {}) {
    if (chatId == null) return;
    if (here?.length) presence.value[chatId] = here;
    else delete presence.value[chatId];
  }

  /** Forget who was where: the relay sends it all again when the socket reconnects. */
  function clearPresence() {
    presence.value = {};
  }

  function reportViewing(chatId) {
    lastTyping = { chatId: null, at: -Infinity };
    connector?.emit('presence', { chat_id: chatId ?? null, typing: false });
  }

  function reportTyping(chatId) {
    const now = Date.now();
    if (chatId == null || (lastTyping.chatId === chatId && now - lastTyping.at < TYPING_EVERY_MS)) return;
    if (connector?.emit('presence', { chat_id: chatId, typing: true })) lastTyping = { chatId, at: now };
  }

  function nameOf(username) {
    return agents.value.find((agent) => agent.username === username)?.name || username;
  }

  async function loadAgents() {
    const live = session.current();
    try {
      const answer = await desk.listAgents();
      if (live()) agents.value = answer?.agents ?? [];
    } catch {
      // assigning to others waits for the next load; assigning to me still works
    }
  }

  function keep(agent) {
    const at = agents.value.findIndex((held) => held.username === agent.username);
    if (at === -1) agents.value.push(agent);
    else agents.value[at] = agent;
  }

  /** Run an admin call; its `{agent}` answer replaces the held one. True when it worked. */
  async function administer(call, ...args) {
    const live = session.current();
    adminBusy.value = true;
    adminError.value = null;
    try {
      const answer = await call(...args);
      if (answer?.agent && live()) keep(answer.agent);
      return true;
    } catch (error) {
      adminError.value = error;
      return false;
    } finally {
      adminBusy.value = false;
    }
  }

  const addAgent = (agent) => administer(desk.addAgent, agent);
  const disableAgent = (username) => administer(desk.disableAgent, username);
  const enableAgent = (username) => administer(desk.enableAgent, username);
  const resetPassword = (username, password) => administer(desk.resetPassword, username, password);
  const linkTelegram = (username, telegramId) => administer(desk.linkTelegram, username, telegramId);
  const unlinkTelegram = (username) => administer(desk.unlinkTelegram, username);

  function reset() {
    session.end();
    connector = null;
    agents.value = [];
    presence.value = {};
    adminError.value = null;
    lastTyping = { chatId: null, at: -Infinity };
  }

  return {
    agents, presence, adminError, adminBusy,
    attach, othersIn, setPresence, clearPresence, reportViewing, reportTyping, nameOf,
    loadAgents, addAgent, disableAgent, enableAgent, resetPassword, linkTelegram, unlinkTelegram, reset,
  };
});
