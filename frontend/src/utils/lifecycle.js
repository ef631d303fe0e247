import { statusOf } from './status.js';

/**
 * What the conversation lifecycle (docs/lifecycle.md) adds to a conversation, read the way
 * statusOf reads its status: older documents lack these fields, and a missing or unknown value
 * reads as normal priority, no SLA running, not breached, not rated.
 */

/** The relay's priorities; anything else reads as normal. */
export const PRIORITIES = ['normal', 'high'];

/** The satisfaction scale: the customer's stars, 1 to 5. */
export const CSAT_MAX = 5;

export const priorityOf = (conversation) => (PRIORITIES.includes(conversation?.priority) ? conversation.priority : 'normal');

/** Whether the first-response SLA passed with no agent answer. */
export const breachedOf = (conversation) => conversation?.sla_breached === true;

/**
 * When the first-response SLA falls due (epoch seconds) while it is still running: set, not
 * breached and not resolved. Else null. An agent's answer clears `sla_due_at` itself; not
 * `first_response_at`, which is the conversation's first answer and stays through a reopen, whose
 * SLA runs again.
 */
export function slaDueAt(conversation) {
  const due = conversation?.sla_due_at;
  if (typeof due !== 'number' || !Number.isFinite(due)) return null;
  if (breachedOf(conversation)) return null;
  return statusOf(conversation) === 'resolved' ? null : due;
}

/** The customer's rating, a whole 1 … CSAT_MAX, or null when there is none (or none that reads). */
export function csatOf(conversation) {
  const rating = conversation?.csat?.rating;
  return Number.isInteger(rating) && rating >= 1 && rating <= CSAT_MAX ? rating : null;
}
