import { onBeforeUnmount, watch } from 'vue';
import { createConnector } from '../socket/connector.js';
import { useAttentionStore } from '../stores/attention.js';
import { useBusinessStore } from '../stores/business.js';
import { useCannedStore } from '../stores/canned.js';
import { useComposerStore } from '../stores/composer.js';
import { useConversationsStore } from '../stores/conversations.js';
import { useMessagesStore } from '../stores/messages.js';
import { useSessionStore } from '../stores/session.js';
import { useTeamStore } from '../stores/team.js';

/**
 * While an agent is signed in: the conversation list, the team and the business connections are loaded, the socket is
 * up, and the relay hears which chat this agent has open (for the others' collision
 * warning). The open chat is read when the page becomes visible again (messages that came
 * while it was hidden stay unread till then). When the session ends (logout, 401, refused
 * socket, disabled agent): the socket closes, the stores forget everything and the desktop
 * notifications shown go away.
 */
export function useRealtimeDesk(makeConnector = createConnector) {
  const session = useSessionStore();
  const conversations = useConversationsStore();
  const messages = useMessagesStore();
  const team = useTeamStore();
  const business = useBusinessStore();
  let connector = null;
  const page = globalThis.document;

  function onVisibilityChange() {
    if (!page.hidden) conversations.readIfSeen();
  }

  function start() {
    conversations.fetchAll();
    team.loadAgents();
    business.load();
    connector = makeConnector();
    team.attach(connector);
    connector.connect();
    page?.addEventListener('visibilitychange', onVisibilityChange);
  }

  function stop() {
    page?.removeEventListener('visibilitychange', onVisibilityChange);
    connector?.disconnect();
    connector = null;
    conversations.reset();
    messages.reset();
    team.reset();
    business.reset();
    useComposerStore().reset(); // drafts are the agent's own: the next one to sign in starts clean
    useCannedStore().reset();
    useAttentionStore().reset();
  }

  watch(() => session.isAuthenticated, (signedIn) => (signedIn ? start() : stop()), { immediate: true });
  watch(() => conversations.activeChatId, (chatId) => connector && team.reportViewing(chatId));
  onBeforeUnmount(() => {
    page?.removeEventListener('visibilitychange', onVisibilityChange);
    connector?.disconnect();
  });
}
