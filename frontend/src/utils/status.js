/** The statuses a conversation can have (the relay's contract); the list labels each one. */
export const STATUSES = ['open', 'pending', 'resolved'];

/**
 * A conversation's status, never missing: the relay leaves `status` out of older rows, and
 * those are open. Anything unknown reads as open too, so no label is ever a raw i18n key.
 */
export const statusOf = (conversation) => (STATUSES.includes(conversation?.status) ? conversation.status : 'open');
