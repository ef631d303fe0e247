/**
 * For the specs: messages as the relay stores them, built from the real Telegram updates in
 * tests/fixtures/updates/ the way teledesk/telegram/updates.py does (media_of, _quoted).
 */
const updates = Object.fromEntries(
  Object.entries(import.meta.glob('../../../tests/fixtures/updates/*.json', { eager: true, import: 'default' }))
    .map(([path, update]) => [path.split('/').pop().replace(/\.json$/, ''), update]),
);

const KINDS = ['animation', 'photo', 'video', 'video_note', 'voice', 'audio', 'sticker', 'document',
  'venue', 'location', 'contact', 'poll', 'dice'];

/** The media dict of teledesk/telegram/updates.py media_of: the object whole, with its kind. */
export function mediaOf(message) {
  const kind = KINDS.find((k) => k in message);
  if (!kind) return null;
  const value = message[kind];
  if (kind === 'photo') return { kind, ...value[value.length - 1], sizes: value };
  return { kind, ...value };
}

/** The stored message of fixture `name` (e.g. "photo"), with a relay URL when it has a file. */
export function storedFixture(name, overrides = {}) {
  const update = updates[name];
  if (!update) throw new Error(`no fixture ${name}`);
  const message = update.message ?? update.edited_message;
  const chatId = message.chat.id;
  const id = `tg-${chatId}-${message.message_id}`;
  const media = mediaOf(message);
  return {
    id,
    type: 'CLIENT',
    chat_id: chatId,
    date: message.date,
    text: message.text ?? message.caption ?? '',
    media: media?.file_id ? { ...media, url: `/api/conversations/${chatId}/messages/${id}/media` } : media,
    customer: { id: message.from.id, first_name: message.from.first_name },
    direction: 'in',
    telegram_message_id: message.message_id,
    ...(message.media_group_id ? { media_group_id: message.media_group_id } : {}),
    ...(message.forward_origin ? { forward_origin: message.forward_origin } : {}),
    ...overrides,
  };
}
