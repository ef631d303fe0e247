import { onBeforeUnmount, watch } from 'vue';
import { createConnector } from '../socket/connector.js';
import { useConversationsStore } from '../stores/conversations.js';
import { useMessagesStore } from '../stores/messages.js';
import { useSessionStore } from '../stores/session.js';

/**
 * While an agent is signed in: the conversation list is loaded and the socket is up.
 * When the session ends (logout, 401, refused socket): the socket closes and the stores
 * forget everything.
 */
export function useRealtimeDesk(makeConnector = createConnector) {
  const session = useSessionStore();
  const conversations = useConversationsStore();
  const messages = useMessagesStore();
  let connector = null;

  function start() {
    conversations.fetchAll();
    connector = makeConnector();
    connector.connect();
  }

  function stop() {
    connector?.disconnect();
    connector = null;
    conversations.reset();
    messages.reset();
  }

  watch(() => session.isAuthenticated, (signedIn) => (signedIn ? start() : stop()), { immediate: true });
  onBeforeUnmount(() => connector?.disconnect());
}
