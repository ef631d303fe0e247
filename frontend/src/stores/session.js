import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import * as desk from '../api/desk.js';

/**
 * Who is signed in. `status` is `unknown` until /api/me answers, then `anonymous`
 * (show the login form) or `authenticated`. `endReason` says why a live session ended
 * (`expired`, `disabled` by an admin, `logout` in another tab), so the login form can tell the agent.
 * `logoutError` says a logout did not reach the relay: the agent is still signed in there
 * (App shows `login.logoutFailed`).
 */
export const useSessionStore = defineStore('session', () => {
  const status = ref('unknown');
  const agent = ref(null);
  const endReason = ref(null);
  const logoutError = ref(null);
  let loggingOut = false; // this tab's own logout: its `session_ended` (`logout`) is no news

  const isAuthenticated = computed(() => status.value === 'authenticated');
  const expired = computed(() => endReason.value !== null);
  const isAdmin = computed(() => agent.value?.role === 'admin');

  function signIn(who) {
    agent.value = who;
    status.value = 'authenticated';
    endReason.value = null;
    logoutError.value = null;
  }

  function signOut() {
    agent.value = null;
    status.value = 'anonymous';
    logoutError.value = null;
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

  /**
   * Sign out on the relay, then here. A 401 means the relay had already forgotten the session;
   * any other failure keeps the session (the cookie still works) and says so in `logoutError`.
   * True when signed out.
   */
  async function logout() {
    logoutError.value = null;
    loggingOut = true;
    try {
      await desk.logout();
    } catch (error) {
      if (error?.status !== 401) {
        logoutError.value = error;
        return false;
      }
    } finally {
      loggingOut = false;
    }
    endReason.value = null;
    signOut();
    return true;
  }

  /**
   * The server no longer knows this session: a 401 or a refused socket (`expired`), or the
   * relay's `session_ended` (`disabled`, `password`, `logout`). Only a live session records why, so the 401s and
   * refusals that follow the first ending do not overwrite its reason.
   */
  function expire(reason = 'expired') {
    if (status.value === 'authenticated' && !(loggingOut && reason === 'logout')) endReason.value = reason;
    signOut();
  }

  return {
    status, agent, endReason, logoutError, expired, isAuthenticated, isAdmin, restore, login, logout, expire,
  };
});
