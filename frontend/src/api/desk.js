/** The relay's agent API, one function per endpoint (see ARCHITECTURE.md, "The contract"). */
import { get, post } from './client.js';

const conversation = (chatId) => `/api/conversations/${encodeURIComponent(chatId)}`;

export const login = (username, password) => post('/api/login', { username, password });
export const logout = () => post('/api/logout');
export const me = () => get('/api/me');

export const listConversations = () => get('/api/conversations');
export const listMessages = (chatId) => get(`${conversation(chatId)}/messages`);
export const sendMessage = (chatId, text, clientId) =>
  post(`${conversation(chatId)}/messages`, { text, client_id: clientId });
export const markRead = (chatId) => post(`${conversation(chatId)}/read`);

export const assign = (chatId, username) =>
  post(`${conversation(chatId)}/assign`, username ? { username } : {});
export const resolve = (chatId) => post(`${conversation(chatId)}/resolve`);
export const reopen = (chatId) => post(`${conversation(chatId)}/reopen`);
