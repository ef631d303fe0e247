/**
 * The relay's limits and rules that the console applies before asking it, written here once.
 *
 * They are the relay's, declared in realtime/schemas.py and stated in its OpenAPI document
 * (/api/openapi.json): the console only checks a draft or a theme first, so the agent sees the
 * reason at once instead of a refused request, and never refuses what the relay would take.
 * tests/unit/realtime/test_console_agrees_with_the_api.py reads this file and holds every
 * constant in it to the document (or, for the two the document does not state, to the relay's
 * code): a limit changed on one side only fails that test. Patterns are the document's own text.
 */

// Lengths in characters.
export const MAX_TEXT = 40960; // Reply.text: an answer, sent as several messages over 4096
export const MAX_NOTE_TEXT = 4096; // NewNote.text: a private note
export const MAX_EDIT_TEXT = 4096; // Edit.text: a text message's new text
export const MAX_CAPTION = 1024; // Upload.caption, and Edit.text when it is a file's caption
export const MAX_CANNED_TEXT = 4096; // CannedFields.text
export const SEARCH_MIN = 2; // SearchQuery.q, trimmed
export const SEARCH_MAX = 100;
export const MIN_PASSWORD_LENGTH = 8; // NewAgent.password, NewPassword.password
export const MAX_THEME_NAME_LENGTH = 80; // Theme.name

// The stats page's windows (StatsQuery.window): what `?window=` takes, and the relay's default.
export const STATS_WINDOWS = ['1h', '24h', '7d'];
export const STATS_DEFAULT_WINDOW = '24h';

export const PAGE_SIZE = 50; // MessagesQuery.limit: a history page; a shorter one is the last
export const MAX_UPLOAD_BYTES = 50_000_000; // Telegram's 50 MB (teledesk/telegram/limits.py; a 413 over it)
// Telegram Business: a business chat takes the bot's messages until 24 h after the customer's last one
// (teledesk/telegram/limits.py BUSINESS_REPLY_WINDOW_S; the relay refuses an answer after it, 409).
export const BUSINESS_REPLY_WINDOW_S = 86400;

export const CLIENT_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/; // Reply.client_id: the idempotency key
export const MAX_SHORTCUT_LENGTH = 32;
export const SHORTCUT_PATTERN = /^[a-z0-9_-]{1,32}$/; // CannedFields.shortcut, once trimmed and lower-cased

// The theme (Theme): a colour key, a colour (#hex, rgb() or rgba()), a radius (px or rem).
export const COLOUR_KEY_PATTERN = /^[a-z][a-z0-9-]{0,39}$/;
export const COLOUR_PATTERN = /^(?:#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})|rgba?\(\s*\d{1,3}(?:\.\d+)?%?(?:\s*,?\s*\d{1,3}(?:\.\d+)?%?){2}(?:\s*[,/]\s*\d{1,3}(?:\.\d+)?%?)?\s*\))$/;
export const RADIUS_PATTERN = /^\d{1,2}(?:\.\d{1,2})?(?:px|rem)$/;

// Search (realtime/search.py MARKS): the combining marks, as NFD sets them apart from their letter,
// that a letter typed without one still matches.
export const MARKS = '[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]';
