import { io } from 'socket.io-client';
import { useConnectionStore } from '../stores/connection.js';
import { useConversationsStore } from '../stores/conversations.js';
import { useMessagesStore } from '../stores/messages.js';
import { useSessionStore } from '../stores/session.js';
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
  constructor({ socketFactory = io, session, conversations, messages, connection, reconnect }) {
    Object.assign(this, { socketFactory, session, conversations, messages, connection, reconnect });
    this.socket = null;
    this.events = {
      connect: () => this.onConnect(),
      disconnect: (reason) => this.onDisconnect(reason),
      connect_error: (error) => this.onConnectError(error),
      message: (message) => this.onMessage(message),
      conversation: (conversation) => this.onConversation(conversation),
      delivery: (delivery) => this.onDelivery(delivery),
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

  onConnect() {
    this.connection.set('connected');
    return this.reconnect.refetch();
  }

  onDisconnect(reason) {
    this.connection.set('disconnected');
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
    if (message.chat_id === this.conversations.activeChatId && message.direction === 'in') {
      this.conversations.markRead(message.chat_id);
    }
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
  return new DeskConnector({
    socketFactory,
    session: useSessionStore(),
    conversations,
    messages,
    connection: useConnectionStore(),
    reconnect: createReconnectService({ conversations, messages }),
  });
}
