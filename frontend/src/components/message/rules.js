/**
 * What an agent may do with a message, by the relay's own rules (realtime/api.py, outbound.py):
 * quote only what Telegram has; edit and delete only one's own answers once sent.
 */

const TELEGRAM_ID = /^tg--?\d+-\d+$/;

/** Whether Telegram holds this message, so a reply can quote it (as the relay's telegram_message_id). */
export function telegramHas(message) {
  return Boolean(message.telegram_message_id || message.delivery?.telegram_message_id || TELEGRAM_ID.test(String(message.id ?? '')));
}

export const canReply = (message) => !message.deleted && message.direction !== 'note' && message.type !== 'MEMBER'
  && telegramHas(message);

/** The signed-in agent's own answer, sent and not deleted. */
export const canDelete = (message, username) => Boolean(username) && message.type === 'AGENT'
  && message.direction === 'out' && Boolean(message.id) && !message.deleted && message.delivery?.state === 'sent'
  && message.agent?.username === username;

/** As canDelete, and not one sent in several parts (the relay refuses: a new text may split otherwise). */
export const canEdit = (message, username) => canDelete(message, username) && Boolean(message.text || message.media)
  && (message.delivery?.telegram_message_ids?.length ?? 0) <= 1;

export const canCopy = (message) => !message.deleted && Boolean(message.text);

/** A message's bubble in the page, to scroll a quoted one into view. */
export function findBubble(messageId) {
  return [...document.querySelectorAll('[data-testid="message-bubble"]')]
    .find((element) => element.dataset.messageId === messageId) ?? null;
}
