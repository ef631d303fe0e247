import { describe, expect, it } from 'vitest';
import { canCopy, canDelete, canEdit, canReply, telegramHas } from './rules.js';

const sent = { id: 'agent-1', type: 'AGENT', direction: 'out', text: 'Hi', agent: { username: 'ana' }, delivery: { state: 'sent', telegram_message_id: 9 } };

describe('message rules', () => {
  it('knows which messages Telegram has, as the relay does', () => {
    expect(telegramHas({ id: 'tg-111-5' })).toBe(true);
    expect(telegramHas({ id: 'tg--100123-5' })).toBe(true);
    expect(telegramHas({ id: 'tg-update-5' })).toBe(false);
    expect(telegramHas({ id: 'tg-callback-abc' })).toBe(false);
    expect(telegramHas(sent)).toBe(true);
    expect(telegramHas({ ...sent, delivery: { state: 'queued' } })).toBe(false);
  });

  it('replies to what Telegram has, never to a note, a service line or a deleted message', () => {
    expect(canReply({ id: 'tg-1-2', direction: 'in', type: 'CLIENT' })).toBe(true);
    expect(canReply({ ...sent, direction: 'note' })).toBe(false);
    expect(canReply({ id: 'tg-1-2', type: 'MEMBER' })).toBe(false);
    expect(canReply({ ...sent, deleted: true })).toBe(false);
  });

  it('edits and deletes only the agent\'s own sent answers', () => {
    expect(canEdit(sent, 'ana')).toBe(true);
    expect(canDelete(sent, 'ana')).toBe(true);
    expect(canEdit(sent, 'bob')).toBe(false);
    expect(canEdit(sent, undefined)).toBe(false);
    expect(canEdit({ ...sent, type: 'BOT' }, 'ana')).toBe(false);
    expect(canEdit({ ...sent, delivery: { state: 'failed' } }, 'ana')).toBe(false);
    expect(canDelete({ ...sent, deleted: true }, 'ana')).toBe(false);
  });

  it('does not edit an answer sent in several parts, but deletes it', () => {
    const split = { ...sent, delivery: { ...sent.delivery, telegram_message_ids: [9, 10] } };
    expect(canEdit(split, 'ana')).toBe(false);
    expect(canDelete(split, 'ana')).toBe(true);
  });

  it('copies text only', () => {
    expect(canCopy(sent)).toBe(true);
    expect(canCopy({ ...sent, text: '' })).toBe(false);
  });
});
