import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as desk from '../api/desk.js';
import { i18n } from '../i18n/index.js';
import { useComposerStore } from '../stores/composer.js';
import { useMessagesStore } from '../stores/messages.js';
import { useSessionStore } from '../stores/session.js';
import MessageBubble from './MessageBubble.vue';
import { storedFixture } from '../test/telegramFixtures.js';

vi.mock('../api/desk.js');
enableAutoUnmount(afterEach);

const HOSTILE = '<img src=x onerror=alert(1)><script>alert(2)</script>';

const message = (overrides = {}) => ({
  id: 'tg-1-10',
  type: 'CLIENT',
  chat_id: 1,
  date: 1763650000,
  text: 'Hola',
  media: null,
  customer: { id: 1, first_name: 'Ana' },
  direction: 'in',
  ...overrides,
});

const answer = (overrides = {}) => message({
  id: 'agent-abc12345', type: 'AGENT', direction: 'out', text: 'Buenas',
  agent: { username: 'ana', name: 'Ana' }, delivery: { state: 'sent', telegram_message_id: 55 }, ...overrides,
});

const bubble = (m, props = {}) => mount(MessageBubble, { props: { message: m, ...props }, attachTo: document.body });
const testid = (wrapper, id) => wrapper.find(`[data-testid="${id}"]`);

describe('MessageBubble: text and sides', () => {
  it('renders a customer message on the left with its hooks', () => {
    const wrapper = bubble(message());
    const root = wrapper.get('[data-testid="message-bubble"]');
    expect(root.attributes()).toMatchObject({ 'data-message-id': 'tg-1-10', 'data-direction': 'in', 'data-type': 'CLIENT' });
    expect(root.classes()).toContain('bubble--in');
    expect(wrapper.get('[data-testid="message-text"]').text()).toBe('Hola');
    expect(testid(wrapper, 'delivery-state').exists()).toBe(false);
    expect(wrapper.get('[data-testid="message-time"]').text()).toMatch(/\d{1,2}:\d{2}/);
  });

  it('gives its time a machine-readable datetime', () => {
    const time = bubble(message()).get('[data-testid="message-time"]');
    expect(time.attributes('datetime')).toBe(new Date(1763650000 * 1000).toISOString());
  });

  it.each([undefined, null, 'soon'])('still draws a message whose date is %s, with no datetime', (date) => {
    const wrapper = bubble(message({ date }));
    expect(wrapper.get('[data-testid="message-text"]').text()).toBe('Hola');
    const time = wrapper.get('[data-testid="message-time"]');
    expect(time.attributes('datetime')).toBeUndefined();
    expect(time.text()).toBe('');
  });

  it('renders hostile text literally, never as markup', () => {
    const wrapper = bubble(message({ text: HOSTILE, customer: { first_name: HOSTILE } }));
    expect(wrapper.get('[data-testid="message-text"]').text()).toBe(HOSTILE);
    expect(wrapper.find('img').exists()).toBe(false);
    expect(wrapper.find('script').exists()).toBe(false);
    expect(wrapper.get('[data-testid="message-text"]').element.innerHTML).toContain('&lt;img');
  });

  it('keeps line breaks of multi-line text', () => {
    const wrapper = bubble(message({ text: 'one\ntwo' }));
    expect(wrapper.get('[data-testid="message-text"]').element.textContent).toBe('one\ntwo');
  });

  it('renders an agent answer on the right with its tick and author', () => {
    const wrapper = bubble(answer({ text: HOSTILE }));
    const root = wrapper.get('[data-testid="message-bubble"]');
    expect(root.attributes('data-direction')).toBe('out');
    expect(root.classes()).toContain('bubble--out');
    expect(wrapper.get('.bubble__sender').text()).toBe('Ana');
    expect(wrapper.get('[data-testid="delivery-state"]').attributes('data-state')).toBe('sent');
    expect(wrapper.get('[data-testid="message-text"]').text()).toBe(HOSTILE);
  });

  it('uses the client id until the server gives an id', () => {
    const wrapper = bubble(message({ id: null, client_id: 'c-12345678', direction: 'out', type: 'AGENT', delivery: { state: 'queued' } }));
    expect(wrapper.get('[data-testid="message-bubble"]').attributes('data-message-id')).toBe('c-12345678');
    expect(wrapper.get('[data-testid="delivery-state"]').attributes('data-state')).toBe('queued');
  });

  it('marks private notes and the bot apart from agents\' answers', () => {
    const note = bubble(message({ id: 'note-1', type: 'AGENT', direction: 'note', private: true, agent: { username: 'ana', name: 'Ana' }, delivery: { state: 'sent' } }));
    expect(note.get('[data-testid="message-bubble"]').attributes('data-direction')).toBe('note');
    expect(note.get('[data-testid="message-bubble"]').classes()).toContain('bubble--note');
    expect(note.get('[data-testid="message-note"]').text()).toBe('Private note · Ana');
    expect(testid(note, 'delivery-state').exists()).toBe(false); // a stored note has nothing to deliver
    const bot = bubble(message({ type: 'BOT', direction: 'out', text: 'Hello! An agent will answer soon.' }));
    expect(bot.get('[data-testid="message-bot"]').text()).toBe('Bot');
    expect(bot.get('[data-testid="message-bubble"]').classes()).toContain('bubble--bot');
  });

  it('shows a customer blocking or unblocking the bot as a centred service line', () => {
    const blocked = bubble(message({ id: 'tg-update-9', type: 'MEMBER', text: '', member: { status: 'kicked', blocked: true } }));
    expect(blocked.get('[data-testid="message-bubble"]').classes()).toContain('bubble--service');
    expect(blocked.get('[data-testid="message-service"]').text()).toBe('The customer blocked the bot');
    expect(testid(blocked, 'message-menu-button').exists()).toBe(false);
    const unblocked = bubble(message({ type: 'MEMBER', text: '', member: { status: 'member', blocked: false } }));
    expect(unblocked.get('[data-testid="message-service"]').text()).toBe('The customer unblocked the bot');
  });

  it('says a message is unsupported, and keeps a caption it had', () => {
    const wrapper = bubble(message({ type: 'UNSUPPORTED', text: '' }));
    expect(wrapper.get('[data-testid="message-unsupported"]').text()).toContain('Unsupported message');
    expect(testid(wrapper, 'message-text').exists()).toBe(false);
  });

  it('shows an agent\'s deleted answer as deleted', () => {
    const wrapper = bubble(answer({ deleted: true, revision: 2 }));
    expect(wrapper.get('[data-testid="message-deleted"]').text()).toBe('Deleted from the customer\'s chat');
    expect(wrapper.get('[data-testid="message-text"]').classes()).toContain('bubble__text--deleted');
  });
});

describe('MessageBubble: a Telegram Business chat', () => {
  const KEY = -6755399441055745;
  const owned = (overrides = {}) => message({
    id: `tg-${KEY}-12`, type: 'OWNER', chat_id: KEY, direction: 'out', text: 'Te lo envío hoy',
    owner: { id: 7000000001, first_name: 'Lucía', last_name: 'Acme' }, telegram_message_id: 12, ...overrides,
  });

  it('draws what the owner typed in Telegram on the company\'s side, marked, with their name', () => {
    const wrapper = bubble(owned());
    const drawn = wrapper.get('[data-testid="message-bubble"]');
    expect(drawn.classes()).toEqual(expect.arrayContaining(['bubble--out', 'bubble--owner']));
    expect(drawn.classes()).not.toContain('bubble--in');
    expect(drawn.attributes('data-direction')).toBe('out');
    expect(wrapper.get('.row').classes()).toContain('row--out');
    expect(wrapper.get('[data-testid="message-owner"]').text()).toBe('Typed in Telegram · Lucía Acme');
    expect(wrapper.get('[data-testid="message-owner"]').attributes('title')).toMatch(/Telegram app/);
    expect(wrapper.get('[data-testid="message-text"]').text()).toBe('Te lo envío hoy');
    expect(wrapper.find('[data-testid="delivery-state"]').exists()).toBe(false); // nothing the desk sent
  });

  it('draws it on the company\'s side whatever direction it came with, named or not', () => {
    const wrapper = bubble(owned({ direction: 'in', owner: undefined }));
    expect(wrapper.get('[data-testid="message-bubble"]').classes()).toContain('bubble--out');
    expect(wrapper.get('[data-testid="message-owner"]').text()).toBe('Typed in Telegram');
  });

  it('keeps the text of a message deleted from the business chat, struck through', () => {
    for (const deleted of [owned({ deleted: true }), message({ chat_id: KEY, deleted: true, text: 'Borrado' })]) {
      const wrapper = bubble(deleted);
      expect(wrapper.get('[data-testid="message-deleted"]').text()).toBe('Deleted from the customer\'s chat');
      expect(wrapper.get('[data-testid="message-text"]').text()).toBe(deleted.text);
      expect(wrapper.get('[data-testid="message-text"]').classes()).toContain('bubble__text--deleted');
    }
  });

  it('speaks Spanish', () => {
    i18n.global.locale.value = 'es';
    expect(bubble(owned()).get('[data-testid="message-owner"]').text()).toBe('Escrito en Telegram · Lucía Acme');
  });
});

describe('MessageBubble: edits, quotes, forwards, reactions', () => {
  it('marks an edited message, and shows the earlier texts on demand', async () => {
    const wrapper = bubble(message({
      text: 'Order 1235', edited: true, revision: 1781601100,
      edit_history: [{ text: 'Order 1234', media: null, date: 1781601000 }],
    }));
    expect(testid(wrapper, 'edit-history').exists()).toBe(false);
    const edited = wrapper.get('[data-testid="message-edited"]');
    expect(edited.text()).toBe('edited');
    await edited.trigger('click');
    expect(edited.attributes('aria-expanded')).toBe('true');
    expect(wrapper.get('[data-testid="edit-history"]').text()).toContain('Order 1234');
    expect(wrapper.get('[data-testid="message-text"]').text()).toBe('Order 1235');
  });

  it('shows an agent\'s earlier text with when it was replaced', async () => {
    const wrapper = bubble(answer({ edited: 1781601200.5, edit_history: [{ text: 'Tomorow', until: 1781601200.5 }] }));
    await wrapper.get('[data-testid="message-edited"]').trigger('click');
    expect(wrapper.get('[data-testid="edit-history"]').text()).toMatch(/Tomorow\s*until /);
  });

  it('quotes the message a customer answered, from the text Telegram sent with it', () => {
    const wrapper = bubble(message({
      reply_to: { id: 'tg-1-120', telegram_message_id: 120, from_bot: true, text: 'Order 1234 will be redelivered', media_kind: null },
    }));
    const quote = wrapper.get('[data-testid="message-quote"]');
    expect(quote.text()).toContain('Bot');
    expect(quote.text()).toContain('Order 1234 will be redelivered');
  });

  it('quotes the message an agent answered, from the held message', () => {
    const messages = useMessagesStore();
    messages.byChat = { 1: [message({ id: 'tg-1-7', text: HOSTILE, customer: { first_name: 'Alex' } })] };
    const wrapper = bubble(answer({ reply_to: { message_id: 'tg-1-7', telegram_message_id: 7 } }));
    const quote = wrapper.get('[data-testid="message-quote"]');
    expect(quote.get('.quote__author').text()).toBe('Alex');
    expect(quote.get('.quote__text').text()).toBe(HOSTILE);
  });

  it('names where a forwarded message came from, or says it is forwarded when hidden', () => {
    expect(bubble(storedFixture('forwarded')).get('[data-testid="message-forwarded"]').text()).toBe('Forwarded from Jordan Blake');
    expect(bubble(storedFixture('forwarded_hidden')).get('[data-testid="message-forwarded"]').text()).toBe('Forwarded from Chris P.');
    const channel = bubble(message({ forward_origin: { type: 'channel', chat: { title: 'Acme News' }, message_id: 3, date: 1 } }));
    expect(channel.get('[data-testid="message-forwarded"]').text()).toBe('Forwarded from Acme News');
  });

  it('shows the customer\'s reactions', () => {
    const wrapper = bubble(answer({ reactions: { customer: ['👍', '🎉'] }, revision: 3 }));
    const reactions = wrapper.get('[data-testid="message-reactions"]');
    expect(reactions.text()).toBe('👍🎉');
    expect(reactions.get('li').attributes('title')).toBe('👍 from the customer');
  });
});

describe('MessageBubble: delivery', () => {
  it('shows why a message failed, and retries it', async () => {
    const messages = useMessagesStore();
    const failed = answer({ delivery: { state: 'failed', reason: '<b>blocked</b>' } });
    messages.byChat = { 1: [failed] };
    desk.retryMessage.mockResolvedValue({ message: { ...failed, delivery: { state: 'queued' } } });
    const wrapper = bubble(failed);
    expect(wrapper.get('[data-testid="delivery-state"]').attributes('data-state')).toBe('failed');
    expect(wrapper.get('[data-testid="delivery-reason"]').text()).toBe('Not delivered: <b>blocked</b>');
    expect(wrapper.find('b').exists()).toBe(false);
    await wrapper.get('[data-testid="delivery-retry"]').trigger('click');
    await flushPromises();
    expect(desk.retryMessage).toHaveBeenCalledWith(1, 'agent-abc12345');
    expect(messages.forChat(1)[0].delivery.state).toBe('queued');
  });
});

describe('MessageBubble: media', () => {
  it('draws each kind with its own piece', () => {
    const cases = {
      photo: 'media-photo', document: 'media-document', voice: 'media-voice', audio: 'media-audio',
      video: 'media-video', video_note: 'media-video-note', animation: 'media-animation', sticker: 'media-sticker',
      location: 'media-location', venue: 'media-venue', contact: 'media-contact', poll: 'media-poll', dice: 'media-dice',
    };
    for (const [fixture, id] of Object.entries(cases)) {
      const wrapper = bubble(storedFixture(fixture));
      expect(testid(wrapper, id).exists(), fixture).toBe(true);
      expect(wrapper.get('[data-testid="message-bubble"]').attributes('data-type'), fixture).toBe('CLIENT');
    }
  });

  it('keeps the caption under the photo', () => {
    const wrapper = bubble(storedFixture('photo'));
    expect(wrapper.get('[data-testid="media-photo"]').attributes('src')).toMatch(/^\/api\/conversations\/.+\/media$/);
    expect(wrapper.get('[data-testid="message-text"]').text()).toBe(storedFixture('photo').text);
  });

  it('never links a URL that is not the relay\'s own', () => {
    const hostile = bubble(message({ text: '', media: { kind: 'document', file_name: 'x.pdf', url: 'javascript:alert(1)' } }));
    expect(hostile.find('a').exists()).toBe(false);
    expect(hostile.get('[data-testid="media-document"]').text()).toContain('x.pdf');
    const photo = bubble(message({ text: '', media: { kind: 'photo', url: 'https://evil.example/p.jpg' } }));
    expect(photo.find('img').exists()).toBe(false);
  });

  it('names a kind it does not know', () => {
    const odd = bubble(message({ text: '', media: { kind: 'hologram' } }));
    expect(odd.get('.media-other').text()).toBe('Attachment');
  });

  it('draws an album as one bubble with a grid, captioned once', () => {
    const parts = [storedFixture('album_1'), storedFixture('album_2')];
    const wrapper = bubble(parts[0], { album: parts });
    expect(wrapper.findAll('[data-testid="message-bubble"]')).toHaveLength(1);
    expect(wrapper.get('[data-testid="media-album"]').findAll('[data-testid="media-photo"]')).toHaveLength(2);
    expect(wrapper.get('[data-testid="message-text"]').text()).toBe('Both sides of the label');
  });
});

describe('MessageBubble: actions', () => {
  const signedIn = () => { useSessionStore().agent = { username: 'ana', name: 'Ana' }; };
  const actions = async (wrapper) => {
    await wrapper.get('[data-testid="message-menu-button"]').trigger('click');
    return wrapper.findAll('[role="menuitem"]').map((item) => item.attributes('data-testid'));
  };

  it('offers reply and copy on a customer message, and replies through the composer', async () => {
    signedIn();
    const composer = useComposerStore();
    const startReply = vi.spyOn(composer, 'startReply');
    const wrapper = bubble(message());
    expect(await actions(wrapper)).toEqual(['message-action-reply', 'message-action-copy']);
    await wrapper.get('[data-testid="message-action-reply"]').trigger('click');
    expect(startReply).toHaveBeenCalledWith(expect.objectContaining({ id: 'tg-1-10' }));
    expect(testid(wrapper, 'message-action-reply').exists()).toBe(false);
  });

  it('offers edit and delete only on the agent\'s own sent answer', async () => {
    signedIn();
    expect(await actions(bubble(answer()))).toEqual([
      'message-action-reply', 'message-action-edit', 'message-action-delete', 'message-action-copy',
    ]);
    expect(await actions(bubble(answer({ agent: { username: 'bob', name: 'Bob' } })))).toEqual([
      'message-action-reply', 'message-action-copy',
    ]);
    const queued = bubble(answer({ delivery: { state: 'queued' } }));
    expect(await actions(queued)).toEqual(['message-action-copy']);
    const note = bubble(answer({ id: 'note-1', direction: 'note', delivery: { state: 'sent' } }));
    expect(await actions(note)).toEqual(['message-action-copy']);
  });

  it('edits through the composer', async () => {
    signedIn();
    const startEdit = vi.spyOn(useComposerStore(), 'startEdit');
    const wrapper = bubble(answer());
    await actions(wrapper);
    await wrapper.get('[data-testid="message-action-edit"]').trigger('click');
    expect(startEdit).toHaveBeenCalledWith(expect.objectContaining({ id: 'agent-abc12345' }));
  });

  it('deletes only after an inline confirmation', async () => {
    signedIn();
    desk.deleteMessage.mockResolvedValue({});
    const wrapper = bubble(answer());
    await actions(wrapper);
    await wrapper.get('[data-testid="message-action-delete"]').trigger('click');
    expect(desk.deleteMessage).not.toHaveBeenCalled();
    await wrapper.get('[data-testid="delete-confirm"]').trigger('click');
    await flushPromises();
    expect(desk.deleteMessage).toHaveBeenCalledWith(1, 'agent-abc12345');
    expect(testid(wrapper, 'delete-confirm').exists()).toBe(false);
  });

  it('says why a delete failed', async () => {
    signedIn();
    desk.deleteMessage.mockRejectedValue(new Error('message can\'t be deleted'));
    const wrapper = bubble(answer());
    await actions(wrapper);
    await wrapper.get('[data-testid="message-action-delete"]').trigger('click');
    await wrapper.get('[data-testid="delete-confirm"]').trigger('click');
    await flushPromises();
    expect(wrapper.get('[role="alert"]').text()).toBe('That did not work: message can\'t be deleted');
  });

  it('copies the text', async () => {
    const writeText = vi.fn().mockResolvedValue();
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    const wrapper = bubble(message({ text: 'order 1234' }));
    await actions(wrapper);
    await wrapper.get('[data-testid="message-action-copy"]').trigger('click');
    expect(writeText).toHaveBeenCalledWith('order 1234');
  });

  it('opens on a right-click, moves with the arrow keys and closes with Escape', async () => {
    signedIn();
    const wrapper = bubble(answer());
    await wrapper.get('[data-testid="message-bubble"]').trigger('contextmenu');
    await flushPromises();
    const items = wrapper.findAll('[role="menuitem"]');
    expect(document.activeElement).toBe(items[0].element);
    await items[0].trigger('keydown', { key: 'ArrowDown' });
    expect(document.activeElement).toBe(items[1].element);
    await items[1].trigger('keydown', { key: 'ArrowUp' });
    await items[0].trigger('keydown', { key: 'ArrowUp' });
    expect(document.activeElement).toBe(items[3].element);
    await items[3].trigger('keydown', { key: 'Escape' });
    expect(wrapper.find('[role="menu"]').exists()).toBe(false);
    expect(document.activeElement).toBe(wrapper.get('[data-testid="message-menu-button"]').element);
  });
});
