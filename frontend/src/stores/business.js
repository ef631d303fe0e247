import { defineStore } from 'pinia';
import { ref } from 'vue';
import * as desk from '../api/desk.js';
import { createSessionGuard } from './sessionGuard.js';

/**
 * The Telegram Business connections (utils/business.js): which business accounts the bot is
 * connected to, whether each is on, and its rights. Loaded when the agent signs in and on every
 * (re)connect of the socket (what changed while it was down), kept live by the relay's
 * `business_connection` event. A conversation names its connection in `business.connection_id`.
 */
export const useBusinessStore = defineStore('business', () => {
  const byId = ref({});
  const loadError = ref(null);
  const session = createSessionGuard(); // a list that arrives after reset() belongs to the session that ended

  /** A connection's state as the relay sent it (the `business_connection` event, or the list). */
  function upsert(connection) {
    if (connection?.id) byId.value[connection.id] = connection;
  }

  async function load() {
    const live = session.current();
    try {
      const { connections } = await desk.listBusinessConnections();
      if (!live()) return;
      byId.value = Object.fromEntries((connections ?? []).map((connection) => [connection.id, connection]));
      loadError.value = null;
    } catch (error) {
      // the connections held stay: the next (re)connect loads them again
      if (live()) loadError.value = error;
    }
  }

  /** The connection of `connectionId`, or null while the desk has not heard of it. */
  const connectionOf = (connectionId) => (connectionId == null ? null : byId.value[connectionId] ?? null);

  function reset() {
    session.end();
    byId.value = {};
    loadError.value = null;
  }

  return { byId, loadError, upsert, load, connectionOf, reset };
});
