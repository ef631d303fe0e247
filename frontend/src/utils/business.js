import { BUSINESS_REPLY_WINDOW_S } from '../api/rules.js';

/**
 * Telegram Business chats, read as the relay reads them (teledesk/business.py): a conversation
 * with `business` is a private chat of a business account the bot is connected to; its connection
 * (GET /api/business/connections) says whether it is on and what its rights let the desk do.
 */

/** Why an answer would be refused, in the relay's order: an i18n key under business.refusal. */
export const REFUSALS = Object.freeze({
  disabled: 'disabled', // the account disconnected the bot or turned the connection off
  noReply: 'noReply', // the connection does not grant can_reply
  windowClosed: 'windowClosed', // the customer last wrote more than 24 hours ago
});

/** The conversation's business chat ({connection_id, chat_id, customer_wrote_at}), or null. */
export const businessOf = (conversation) => {
  const business = conversation?.business;
  return business && typeof business === 'object' && business.connection_id ? business : null;
};

const finite = (value) => typeof value === 'number' && Number.isFinite(value);

/**
 * When Telegram stops taking the bot's messages in this chat (epoch seconds): the relay's
 * `window_closes_at` when it sent one, else 24 hours after the customer's last message; null when
 * the customer never wrote.
 */
export function windowClosesAt(business) {
  if (finite(business?.window_closes_at)) return business.window_closes_at;
  return finite(business?.customer_wrote_at) ? business.customer_wrote_at + BUSINESS_REPLY_WINDOW_S : null;
}

/**
 * Why the relay would refuse an answer (or an edit) in this business chat at `now`, or null: as
 * teledesk.business.reply_refusal. A connection the console has not heard of is left to the relay:
 * only the window counts.
 */
export function replyRefusal(business, connection, now) {
  if (!business) return null;
  if (connection && !connection.is_enabled) return REFUSALS.disabled;
  if (connection && !connection.rights?.can_reply) return REFUSALS.noReply;
  const closes = windowClosesAt(business);
  return closes == null || closes <= now ? REFUSALS.windowClosed : null;
}

/** Whether the connection lets the bot delete the messages it sent (Telegram's rights). */
export const mayDeleteSent = (connection) => Boolean(connection?.is_enabled
  && (connection.rights?.can_delete_sent_messages || connection.rights?.can_delete_all_messages));

/** The business account's name as its profile gives it ('' when unknown). */
export function accountName(connection) {
  const user = connection?.user ?? {};
  return [user.first_name, user.last_name].filter(Boolean).join(' ').trim() || (user.username ? `@${user.username}` : '');
}

/** Who typed an OWNER message in the Telegram app (the account's user, `message.owner`). */
export function ownerName(owner) {
  return accountName({ user: owner });
}
