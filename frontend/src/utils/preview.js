/**
 * What the chat list (and a desktop notification) says about a conversation's last message:
 * who sent it, when it was not the customer, and its text or a label for what it holds.
 * `t`/`te` are vue-i18n's, so the words follow the console's language.
 */
export function previewOf(last, { t, te, me = null }) {
  if (!last) return { sender: '', text: t('chat.noMessages') };
  // A private note is for the team's eyes inside the chat, never in a list or a notification.
  if (last.direction === 'note') return { sender: '', text: t('chat.note') };
  return { sender: senderOf(last, t, me), text: last.text || labelOf(last, t, te) };
}

function senderOf(last, t, me) {
  if (last.type === 'BOT') return t('chat.botPrefix');
  if (last.type === 'OWNER') return t('business.ownerPrefix'); // the business account, typing in Telegram
  if (last.type !== 'AGENT' && last.direction !== 'out') return '';
  if (me && last.agent?.username === me) return t('chat.youPrefix');
  return last.agent?.name ? t('chat.namePrefix', { name: last.agent.name }) : t('chat.agentPrefix');
}

function labelOf(last, t, te) {
  if (last.media_kind) return te(`media.${last.media_kind}`) ? t(`media.${last.media_kind}`) : t('preview.media');
  return te(`preview.${last.type}`) ? t(`preview.${last.type}`) : t('preview.media');
}
