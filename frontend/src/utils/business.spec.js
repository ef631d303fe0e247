import { describe, expect, it } from 'vitest';
import { BUSINESS_REPLY_WINDOW_S } from '../api/rules.js';
import { REFUSALS, accountName, businessOf, mayDeleteSent, ownerName, replyRefusal, windowClosesAt } from './business.js';

const NOW = 1_800_000_000;
const chat = (overrides = {}) => ({ connection_id: 'conn-1', chat_id: 42, customer_wrote_at: NOW - 60, ...overrides });
const connection = (overrides = {}) => ({
  id: 'conn-1', user: { id: 7, first_name: 'Acme', last_name: 'Support' }, is_enabled: true,
  rights: { can_reply: true }, ...overrides,
});

describe('business chats', () => {
  it('knows a business conversation by its connection', () => {
    expect(businessOf({ business: chat() })).toEqual(chat());
    expect(businessOf({ business: null })).toBeNull();
    expect(businessOf({})).toBeNull();
    expect(businessOf({ business: { chat_id: 1 } })).toBeNull();
  });

  it('closes the window 24 hours after the customer last wrote, or when the relay says', () => {
    expect(BUSINESS_REPLY_WINDOW_S).toBe(24 * 60 * 60);
    expect(windowClosesAt(chat())).toBe(NOW - 60 + BUSINESS_REPLY_WINDOW_S);
    expect(windowClosesAt(chat({ window_closes_at: NOW + 5 }))).toBe(NOW + 5);
    expect(windowClosesAt(chat({ customer_wrote_at: null }))).toBeNull();
  });

  it('refuses in the relay\'s order: disabled, then no can_reply, then the window', () => {
    const closed = chat({ customer_wrote_at: NOW - BUSINESS_REPLY_WINDOW_S });
    expect(replyRefusal(chat(), connection(), NOW)).toBeNull();
    expect(replyRefusal(closed, connection(), NOW)).toBe(REFUSALS.windowClosed);
    expect(replyRefusal(closed, connection({ rights: {} }), NOW)).toBe(REFUSALS.noReply);
    expect(replyRefusal(closed, connection({ is_enabled: false, rights: {} }), NOW)).toBe(REFUSALS.disabled);
    expect(replyRefusal(chat({ customer_wrote_at: null }), connection(), NOW)).toBe(REFUSALS.windowClosed);
  });

  it('leaves an unknown connection to the relay: only the window counts', () => {
    expect(replyRefusal(chat(), undefined, NOW)).toBeNull();
    expect(replyRefusal(chat({ customer_wrote_at: NOW - BUSINESS_REPLY_WINDOW_S - 1 }), null, NOW))
      .toBe(REFUSALS.windowClosed);
  });

  it('never refuses a chat with the bot', () => {
    expect(replyRefusal(null, connection({ is_enabled: false }), NOW)).toBeNull();
  });

  it('deletes only with a delete right on an enabled connection', () => {
    expect(mayDeleteSent(connection())).toBe(false);
    expect(mayDeleteSent(connection({ rights: { can_delete_sent_messages: true } }))).toBe(true);
    expect(mayDeleteSent(connection({ rights: { can_delete_all_messages: true } }))).toBe(true);
    expect(mayDeleteSent(connection({ is_enabled: false, rights: { can_delete_sent_messages: true } }))).toBe(false);
    expect(mayDeleteSent(undefined)).toBe(false);
  });

  it('names the account and the owner from their profile', () => {
    expect(accountName(connection())).toBe('Acme Support');
    expect(accountName(connection({ user: { id: 7, username: 'acme' } }))).toBe('@acme');
    expect(accountName(undefined)).toBe('');
    expect(ownerName({ id: 7, first_name: 'Lucía' })).toBe('Lucía');
  });
});
