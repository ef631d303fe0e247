import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import * as desk from '../api/desk.js';

/**
 * Who is signed in. `status` is `unknown` until /api/me answers, then `anonymous`
 * (show the login form) or `authenticated`.
 */
export const useSessionStore = defineStore('session', () => {
  const status = ref('unknown');
  const agent = ref(null);
  const expired = ref(false);

  const isAuthenticated = computed(() => status.value === 'authenticated');

  function signIn(who) {
    agent.value = who;
    status.value = 'authenticated';
    expired.value = false;
  }

  function signOut() {
    agent.value = null;
    status.value = 'anonymous';
  }

  async function restore() {
    try {
      const { agent: who } = await desk.me();
      signIn(who);
    } catch {
      signOut();
    }
  }

  async function login(username, password) {
    const { agent: who } = await desk.login(username, password);
    signIn(who);
  }

  async function logout() {
    try {
      await desk.logout();
    } finally {
      expired.value = false;
      signOut();
    }
  }

  /** The server no longer knows this session (a 401, or a refused socket). */
  function expire() {
    if (status.value === 'authenticated') expired.value = true;
    signOut();
  }

  return { status, agent, expired, isAuthenticated, restore, login, logout, expire };
});
