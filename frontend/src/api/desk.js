/** The relay's agent API, one function per endpoint (ARCHITECTURE.md "The contract", docs/agent-api.md). */
import { del, get, post, put } from './client.js';

const conversation = (chatId) => `/api/conversations/${encodeURIComponent(chatId)}`;
const message = (chatId, messageId) => `${conversation(chatId)}/messages/${encodeURIComponent(messageId)}`;

export const login = (username, password) => post('/api/login', { username, password });
export const logout = () => post('/api/logout');
export const me = () => get('/api/me');
export const health = () => get('/api/health');
export const theme = () => get('/api/theme');

export const listConversations = () => get('/api/conversations');
export const search = (query) => get(`/api/search?q=${encodeURIComponent(query)}`);

/** The newest messages, or the page before `before` (a message's `stored_at`), oldest first. */
export const listMessages = (chatId, before = null) =>
  get(`${conversation(chatId)}/messages${before != null ? `?before=${encodeURIComponent(before)}` : ''}`);
export const sendMessage = (chatId, text, clientId, replyTo = null) =>
  post(`${conversation(chatId)}/messages`, { text, client_id: clientId, ...(replyTo ? { reply_to: replyTo } : {}) });
export const sendNote = (chatId, text, clientId) => post(`${conversation(chatId)}/notes`, { text, client_id: clientId });

/** A photo, document, voice or video, as multipart; `kind` is guessed from the type when omitted. */
export function sendMedia(chatId, file, clientId, { caption = '', kind = null, replyTo = null } = {}) {
  const form = new FormData();
  form.append('file', file, file.name || 'file');
  form.append('client_id', clientId);
  if (caption) form.append('caption', caption);
  if (kind) form.append('kind', kind);
  if (replyTo) form.append('reply_to', replyTo);
  return post(`${conversation(chatId)}/media`, form);
}

export const editMessage = (chatId, messageId, text) => post(`${message(chatId, messageId)}/edit`, { text });
export const deleteMessage = (chatId, messageId) => del(message(chatId, messageId));
export const retryMessage = (chatId, messageId) => post(`${message(chatId, messageId)}/retry`);
export const typing = (chatId) => post(`${conversation(chatId)}/typing`);
export const markRead = (chatId) => post(`${conversation(chatId)}/read`);

export const assign = (chatId, username) =>
  post(`${conversation(chatId)}/assign`, username ? { username } : {});
export const pending = (chatId) => post(`${conversation(chatId)}/pending`);
export const resolve = (chatId) => post(`${conversation(chatId)}/resolve`);
export const reopen = (chatId) => post(`${conversation(chatId)}/reopen`);
export const startConversation = (chatId) => post(`${conversation(chatId)}/start`);

export const listCanned = () => get('/api/canned');
export const addCanned = (shortcut, text) => post('/api/canned', { shortcut, text });
export const updateCanned = (id, shortcut, text) => put(`/api/canned/${encodeURIComponent(id)}`, { shortcut, text });
export const deleteCanned = (id) => del(`/api/canned/${encodeURIComponent(id)}`);

/** The desk's figures over `span`, one of rules.js's STATS_WINDOWS (GET /api/stats). */
export const stats = (span) => get(`/api/stats?window=${encodeURIComponent(span)}`);

/** The Telegram Business connections: each account's user, rights and whether it is on. */
export const listBusinessConnections = () => get('/api/business/connections');

export const listAgents = () => get('/api/agents');
export const addAgent = (agent) => post('/api/agents', agent);
export const disableAgent = (username) => post(`/api/agents/${encodeURIComponent(username)}/disable`);
export const enableAgent = (username) => post(`/api/agents/${encodeURIComponent(username)}/enable`);
export const resetPassword = (username, password) =>
  post(`/api/agents/${encodeURIComponent(username)}/password`, { password });
/** The agent's Telegram account: what it writes in a staff forum topic is the agent's. */
export const linkTelegram = (username, telegramId) =>
  post(`/api/agents/${encodeURIComponent(username)}/telegram`, { telegram_id: telegramId });
export const unlinkTelegram = (username) => del(`/api/agents/${encodeURIComponent(username)}/telegram`);
