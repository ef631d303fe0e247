import { io } from 'socket.io-client';
import { useAttentionStore } from '../stores/attention.js';
import { useBusinessStore } from '../stores/business.js';
import { useConnectionStore } from '../stores/connection.js';
import { useConversationsStore } from '../stores/conversations.js';
import { useMessagesStore } from '../stores/messages.js';
import { useSessionStore } from '../stores/session.js';
import { useTeamStore } from '../stores/team.js';
import { createReconnectService } from './reconnect.js';

// Same origin as the page; the session cookie authenticates the socket.
export const SOCKET_OPTIONS = Object.freeze({
  path: '/socket.io',
  transports: ['websocket'],
  withCredentials: true,
});

/**
 * The one Socket.IO connection of the console. Each server event has one handler in
 * `events`, which dispatches it into the stores.
 */
export class DeskConnector {
  constructor({ socketFactory = io, session, conversations, messages, connection, reconnect, team, business }) {
    Object.assign(this, { socketFactory, session, conversations, messages, connection, reconnect, team, business });
    this.socket = null;
    this.events = {
      connect: () => this.onConnect(),
      disconnect: (reason) => this.onDisconnect(reason),
      connect_error: (error) => this.onConnectError(error),
      message: (message) => this.onMessage(message),
      conversation: (conversation) => this.onConversation(conversation),
      delivery: (delivery) => this.onDelivery(delivery),
      presence: (presence) => this.team.setPresence(presence),
      session_ended: (ended) => this.onSessionEnded(ended),
      business_connection: (connection) => this.business.upsert(connection),
    };
  }

  connect() {
    if (this.socket) return;
    this.connection.set('connecting');
    this.socket = this.socketFactory({ ...SOCKET_OPTIONS });
    Object.entries(this.events).forEach(([name, handler]) => this.socket.on(name, handler));
    this.socket.io?.on('reconnect_attempt', () => this.connection.set('connecting'));
  }

  disconnect() {
    if (!this.socket) return;
    this.socket.off();
    this.socket.io?.off('reconnect_attempt');
    this.socket.disconnect();
    this.socket = null;
    this.connection.set('disconnected');
  }

  /** Send an event to the relay; false (and nothing queued) while the socket is down. */
  emit(event, payload) {
    if (!this.socket?.connected) return false;
    this.socket.emit(event, payload);
    return true;
  }

  onConnect() {
    this.connection.set('connected');
    // A new socket has no chat open on the relay's side until it says so.
    this.team.reportViewing(this.conversations.activeChatId);
    return this.reconnect.refetch();
  }

  onDisconnect(reason) {
    this.connection.set('disconnected');
    this.team.clearPresence(); // the relay sends it all again on reconnect
    // The server closed the socket itself: socket.io will not retry, so try once; if the
    // session has gone, the server refuses and onConnectError sends us to the login form.
    if (reason === 'io server disconnect') {
      this.connection.set('connecting');
      this.socket.connect();
    }
  }

  onConnectError() {
    this.connection.set('disconnected');
    // `active` is false when the server refused the socket (no valid session); a network
    // failure leaves it true and socket.io keeps retrying on its own.
    if (this.socket && !this.socket.active) this.session.expire();
  }

  onMessage(message) {
    this.messages.receive(message);
    // Read at once only if the agent sees it: not while the tab is hidden (read on return).
    if (message.direction === 'in') this.conversations.readIfSeen(message.chat_id);
    // A customer wrote: sound / notification (the store skips the chat in view).
    if (message.type === 'CLIENT' && message.direction === 'in') {
      useAttentionStore().onCustomerMessage(message, this.conversations.byId[message.chat_id]);
    }
  }

  /**
   * The relay ended this session: an admin disabled the agent (`disabled`), changed its password
   * (`password`), or this browser logged out in another tab (`logout`). Back to the login form
   * at once, saying why.
   */
  onSessionEnded(ended) {
    this.disconnect();
    this.session.expire(ended?.reason || 'disabled');
  }

  onConversation(conversation) {
    this.conversations.upsert(conversation);
  }

  onDelivery(delivery) {
    this.messages.applyDelivery(delivery);
  }
}

/** A connector wired to the app's stores (the active Pinia). */
export function createConnector(socketFactory = io) {
  const conversations = useConversationsStore();
  const messages = useMessagesStore();
  const business = useBusinessStore();
  return new DeskConnector({
    socketFactory,
    session: useSessionStore(),
    conversations,
    messages,
    connection: useConnectionStore(),
    reconnect: createReconnectService({ conversations, messages, business }),
    team: useTeamStore(),
    business,
  });
}
