import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client.js';
import * as desk from '../api/desk.js';
import { BUSINESS_REPLY_WINDOW_S } from '../api/rules.js';
import { i18n } from '../i18n/index.js';
import { useBusinessStore } from '../stores/business.js';
import { useComposerStore } from '../stores/composer.js';
import { useConversationsStore } from '../stores/conversations.js';
import { useMessagesStore } from '../stores/messages.js';
import { useTeamStore } from '../stores/team.js';
import { conversation, message } from '../test/fixtures.js';
import { NOW, fakeClock, tick } from '../test/lifecycle.js';
import Composer from './Composer.vue';

vi.mock('../api/desk.js');
enableAutoUnmount(afterEach); // mounted in the document: the next spec starts without it

/** The composer in the open chat 1, with the messages store's sending spied on. */
function setup({ chatId = 1 } = {}) {
  useConversationsStore().activeChatId = chatId;
  const messages = useMessagesStore();
  for (const name of ['send', 'sendNote', 'sendMedia', 'edit']) messages[name] = vi.fn().mockResolvedValue('cid');
  const team = useTeamStore();
  team.reportTyping = vi.fn();
  desk.typing.mockResolvedValue({ sent: true });
  const wrapper = mount(Composer, { attachTo: document.body });
  const input = wrapper.get('textarea[data-testid="composer-input"]');
  return { wrapper, input, messages, team, composer: useComposerStore() };
}

const file = (name, type = 'image/png', size = 12) => {
  const f = new File(['x'], name, { type });
  Object.defineProperty(f, 'size', { value: size });
  return f;
};

const key = (input, k, extra = {}) => input.trigger('keydown', { key: k, ...extra });

/** Type `text` as a person does: the value, the caret at its end, an input event. */
async function type(input, text) {
  input.element.value = text;
  input.element.setSelectionRange(text.length, text.length);
  await input.trigger('input');
}

describe('Composer: writing and sending', () => {
  it('sends on Enter through the messages store and empties itself', async () => {
    const { wrapper, input, messages } = setup();
    await type(input, '  Hello there ');
    await key(input, 'Enter');
    expect(messages.send).toHaveBeenCalledWith(1, 'Hello there', { replyTo: null });
    expect(input.element.value).toBe('');
    expect(wrapper.get('[data-testid="composer"]').attributes('data-mode')).toBe('normal');
  });

  it('keeps Shift+Enter for a new line, and Enter while an IME composes', async () => {
    const { input, messages } = setup();
    await type(input, 'line one');
    const event = new KeyboardEvent('keydown', { key: 'Enter', shiftKey: true, cancelable: true });
    input.element.dispatchEvent(event);
    expect(event.defaultPrevented).toBe(false);
    await key(input, 'Enter', { isComposing: true });
    expect(messages.send).not.toHaveBeenCalled();
  });

  it('sends multi-line text with the button, and never blank text', async () => {
    const { wrapper, input, messages } = setup();
    const button = wrapper.get('[data-testid="composer-send"]');
    expect(button.attributes('disabled')).toBeDefined();
    await type(input, '   \n ');
    await key(input, 'Enter');
    expect(messages.send).not.toHaveBeenCalled();
    await type(input, 'one\ntwo');
    expect(button.attributes('disabled')).toBeUndefined();
    await wrapper.get('form').trigger('submit');
    expect(messages.send).toHaveBeenCalledWith(1, 'one\ntwo', { replyTo: null });
  });

  it('keeps each chat its own draft', async () => {
    const { input } = setup();
    await type(input, 'for chat one');
    useConversationsStore().activeChatId = 2;
    await flushPromises();
    expect(input.element.value).toBe('');
    await type(input, 'for chat two');
    useConversationsStore().activeChatId = 1;
    await flushPromises();
    expect(input.element.value).toBe('for chat one');
  });

  it('shows the relay refusal inline and gives the text back', async () => {
    const { wrapper, input, messages } = setup();
    messages.send.mockRejectedValue(new ApiError(400, 'chat is blocked'));
    await type(input, 'Hello');
    await key(input, 'Enter');
    await flushPromises();
    expect(input.element.value).toBe('Hello');
    expect(wrapper.get('[data-testid="composer-error"]').text()).toContain('chat is blocked');
  });

  it('says at once when the text is over 40,960 characters, and keeps it', async () => {
    const { wrapper, input, messages } = setup();
    await type(input, 'x'.repeat(40961));
    expect(wrapper.get('[data-testid="composer-error"]').text()).toContain('40961');
    await key(input, 'Enter');
    expect(messages.send).not.toHaveBeenCalled();
    expect(input.element.value).toHaveLength(40961);
  });

  it('tells the customer and the team the agent types, but not in a note', async () => {
    const { wrapper, input, team } = setup();
    await type(input, 'H');
    expect(desk.typing).toHaveBeenCalledWith(1);
    expect(team.reportTyping).toHaveBeenCalledWith(1);
    await wrapper.get('[data-testid="composer-note-toggle"]').trigger('click');
    await type(input, 'Hi, private');
    expect(team.reportTyping).toHaveBeenCalledTimes(1);
    expect(desk.typing).toHaveBeenCalledTimes(1);
  });
});

describe('Composer: reply, edit, note', () => {
  it('replies to a message chosen elsewhere, shows it, and Esc cancels', async () => {
    const { wrapper, input, composer, messages } = setup();
    composer.startReply(message('m9', { text: 'Where is my order?' }));
    await flushPromises();
    const root = wrapper.get('[data-testid="composer"]');
    expect(root.attributes('data-mode')).toBe('reply');
    expect(wrapper.get('[data-testid="reply-preview"]').text()).toContain('Where is my order?');
    await key(input, 'Escape');
    expect(root.attributes('data-mode')).toBe('normal');
    expect(wrapper.find('[data-testid="reply-preview"]').exists()).toBe(false);
    composer.startReply(message('m9'));
    await flushPromises();
    await type(input, 'On its way');
    await key(input, 'Enter');
    expect(messages.send).toHaveBeenCalledWith(1, 'On its way', { replyTo: 'm9' });
  });

  it('cancels a reply with the preview ×', async () => {
    const { wrapper, composer } = setup();
    composer.startReply(message('m9'));
    await flushPromises();
    await wrapper.get('[data-testid="reply-cancel"]').trigger('click');
    expect(composer.modeOf(1)).toBe('normal');
  });

  it('edits an own message: its text to change, Enter saves, the draft comes back', async () => {
    const { wrapper, input, composer, messages } = setup();
    await type(input, 'draft');
    composer.startEdit(message('a1', { type: 'AGENT', direction: 'out', text: 'Helo' }));
    await flushPromises();
    expect(wrapper.get('[data-testid="composer"]').attributes('data-mode')).toBe('edit');
    expect(input.element.value).toBe('Helo');
    await type(input, 'Hello');
    await key(input, 'Enter');
    await flushPromises();
    expect(messages.edit).toHaveBeenCalledWith(1, 'a1', 'Hello');
    expect(input.element.value).toBe('draft');
  });

  it('writes a private note: pressed toggle, note look, sent as a note', async () => {
    const { wrapper, input, messages } = setup();
    const toggle = wrapper.get('[data-testid="composer-note-toggle"]');
    expect(toggle.attributes('aria-pressed')).toBe('false');
    await toggle.trigger('click');
    expect(toggle.attributes('aria-pressed')).toBe('true');
    expect(wrapper.get('[data-testid="composer"]').attributes('data-mode')).toBe('note');
    expect(wrapper.get('[data-testid="composer"]').classes()).toContain('composer--note');
    await type(input, 'Customer is a VIP');
    await key(input, 'Enter');
    expect(messages.sendNote).toHaveBeenCalledWith(1, 'Customer is a VIP');
    expect(messages.send).not.toHaveBeenCalled();
  });
});

describe('Composer: emoji', () => {
  it('inserts the chosen emoji at the caret', async () => {
    const { wrapper, input } = setup();
    await type(input, 'Hello world');
    input.element.setSelectionRange(5, 5);
    await wrapper.get('[data-testid="composer-emoji"]').trigger('click');
    const options = wrapper.findAll('[data-testid="emoji-option"]');
    expect(options.length).toBeGreaterThan(10);
    await options[0].trigger('click');
    expect(input.element.value).toBe(`Hello${options[0].text()} world`);
    expect(wrapper.find('[data-testid="emoji-picker"]').exists()).toBe(true);
    await wrapper.get('[data-testid="emoji-picker"]').trigger('keydown', { key: 'Escape' });
    expect(wrapper.find('[data-testid="emoji-picker"]').exists()).toBe(false);
  });
});

describe('Composer: canned responses', () => {
  const CANNED = [
    { id: 'c1', shortcut: 'hello', text: 'Hello! How can I help?' },
    { id: 'c2', shortcut: 'hours', text: 'We open 9 to 5.' },
    { id: 'c3', shortcut: 'thanks', text: 'Thank you!' },
  ];

  async function suggesting(input, text) {
    desk.listCanned.mockResolvedValue({ canned: CANNED });
    await type(input, text);
    await flushPromises();
  }

  it('suggests on "/" at the start, filtered as the agent types, loaded once', async () => {
    const { wrapper, input } = setup();
    await suggesting(input, '/');
    expect(wrapper.findAll('[data-testid="canned-option"]')).toHaveLength(3);
    await suggesting(input, '/h');
    expect(wrapper.findAll('[data-testid="canned-option"]').map((o) => o.attributes('data-shortcut'))).toEqual(['hello', 'hours', 'thanks']);
    await suggesting(input, '/ho');
    expect(wrapper.findAll('[data-testid="canned-option"]').map((o) => o.attributes('data-shortcut'))).toEqual(['hours', 'hello']);
    expect(input.attributes('aria-activedescendant')).toBe('canned-1-0');
    expect(desk.listCanned).toHaveBeenCalledTimes(1);
  });

  it('replaces "/shortcut" with the text chosen by Down and Enter, sending nothing', async () => {
    const { wrapper, input, messages } = setup();
    await suggesting(input, 'Hi! /h');
    await key(input, 'ArrowDown');
    expect(wrapper.findAll('[data-testid="canned-option"]')[1].attributes('aria-selected')).toBe('true');
    await key(input, 'Enter');
    expect(input.element.value).toBe('Hi! We open 9 to 5.');
    expect(messages.send).not.toHaveBeenCalled();
    expect(wrapper.find('[data-testid="canned-suggestions"]').exists()).toBe(false);
  });

  it('chooses with Tab or a click, closes with Esc, and ignores "/" inside a word', async () => {
    const { wrapper, input } = setup();
    await suggesting(input, '/tha');
    await key(input, 'Tab');
    expect(input.element.value).toBe('Thank you!');
    await suggesting(input, 'and/or');
    expect(wrapper.find('[data-testid="canned-suggestions"]').exists()).toBe(false);
    await suggesting(input, '/ho');
    await key(input, 'Escape');
    expect(wrapper.find('[data-testid="canned-suggestions"]').exists()).toBe(false);
    expect(input.element.value).toBe('/ho');
    await suggesting(input, '');
    await suggesting(input, '/');
    await wrapper.findAll('[data-testid="canned-option"]')[0].trigger('click');
    expect(input.element.value).toBe('Hello! How can I help?');
  });
});

describe('Composer: attachments', () => {
  it('picks files with the paperclip and sends them with a caption', async () => {
    const { wrapper, messages } = setup();
    const picker = wrapper.get('[data-testid="composer-file-input"]');
    expect(picker.attributes('type')).toBe('file');
    const click = vi.spyOn(picker.element, 'click');
    await wrapper.get('[data-testid="composer-attach"]').trigger('click');
    expect(click).toHaveBeenCalled();
    const photo = file('photo.png');
    Object.defineProperty(picker.element, 'files', { value: [photo], configurable: true });
    await picker.trigger('change');
    const preview = wrapper.get('[data-testid="attachment-preview"]');
    expect(preview.text()).toContain('photo.png');
    await wrapper.get('[data-testid="attachment-caption"]').setValue('Your receipt');
    await wrapper.get('[data-testid="attachment-send"]').trigger('click');
    await flushPromises();
    expect(messages.sendMedia).toHaveBeenCalledWith(1, photo, { caption: 'Your receipt', replyTo: null });
    expect(wrapper.find('[data-testid="attachment-preview"]').exists()).toBe(false);
  });

  it('takes files pasted from the clipboard, and cancel drops them', async () => {
    const { wrapper, input } = setup();
    const paste = new Event('paste', { bubbles: true, cancelable: true });
    paste.clipboardData = { files: [file('image.png')] };
    input.element.dispatchEvent(paste);
    await flushPromises();
    expect(paste.defaultPrevented).toBe(true);
    expect(wrapper.get('[data-testid="attachment-preview"]').text()).toContain('image.png');
    await wrapper.get('[data-testid="attachment-cancel"]').trigger('click');
    expect(wrapper.find('[data-testid="attachment-preview"]').exists()).toBe(false);
  });

  it('leaves a paste of text to the textarea', async () => {
    const { input } = setup();
    const paste = new Event('paste', { bubbles: true, cancelable: true });
    paste.clipboardData = { files: [] };
    input.element.dispatchEvent(paste);
    expect(paste.defaultPrevented).toBe(false);
  });

  it('shows a drop overlay over its parent while files are dragged, and takes the drop', async () => {
    const { wrapper } = setup();
    const parent = wrapper.element.parentElement; // in the console: the conversation pane
    const dragged = (type) => {
      const event = new Event(type, { bubbles: true, cancelable: true });
      event.dataTransfer = { types: ['Files'], files: [file('scan.pdf', 'application/pdf')] };
      return event;
    };
    parent.dispatchEvent(dragged('dragenter'));
    await flushPromises();
    expect(wrapper.find('[data-testid="drop-overlay"]').exists()).toBe(true);
    parent.dispatchEvent(dragged('drop'));
    await flushPromises();
    expect(wrapper.find('[data-testid="drop-overlay"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="attachment-preview"]').text()).toContain('scan.pdf');
  });

  it('refuses a file over 50 MB with a clear message, keeping the draft', async () => {
    const { wrapper, input } = setup();
    await type(input, 'keep me');
    const picker = wrapper.get('[data-testid="composer-file-input"]');
    Object.defineProperty(picker.element, 'files', { value: [file('movie.mp4', 'video/mp4', 60 * 1024 * 1024)], configurable: true });
    await picker.trigger('change');
    expect(wrapper.get('[data-testid="composer-error"]').text()).toContain('movie.mp4');
    expect(wrapper.find('[data-testid="attachment-preview"]').exists()).toBe(false);
    expect(input.element.value).toBe('keep me');
  });

  it('does not take files into a note', async () => {
    const { wrapper } = setup();
    await wrapper.get('[data-testid="composer-note-toggle"]').trigger('click');
    expect(wrapper.get('[data-testid="composer-attach"]').attributes('disabled')).toBeDefined();
  });
});

describe('Composer: a Telegram Business chat', () => {
  fakeClock();

  const KEY = -6755399441055745;
  const acme = (overrides = {}) => ({ id: 'conn-1', user: { id: 7, first_name: 'Acme' }, is_enabled: true,
    rights: { can_reply: true }, ...overrides });
  /** The composer in a business chat whose customer last wrote `ago` seconds before now. */
  function inBusinessChat(ago, connection = acme()) {
    useBusinessStore().upsert(connection);
    useConversationsStore().upsert(conversation(KEY, {
      business: { connection_id: 'conn-1', chat_id: 42, customer_wrote_at: NOW - ago } }));
    return setup({ chatId: KEY });
  }
  const refused = (wrapper) => wrapper.find('[data-testid="composer-refused"]');

  it('sends while the reply window is open', async () => {
    const { wrapper, input, messages } = inBusinessChat(60);
    expect(refused(wrapper).exists()).toBe(false);
    await type(input, 'Hola');
    await key(input, 'Enter');
    expect(messages.send).toHaveBeenCalledWith(KEY, 'Hola', { replyTo: null });
  });

  it('closes with the window, live: says why, keeps the draft and sends nothing', async () => {
    const { wrapper, input, messages } = inBusinessChat(BUSINESS_REPLY_WINDOW_S - 1);
    await type(input, 'Un momento');
    await tick(1);
    expect(refused(wrapper).attributes('data-reason')).toBe('windowClosed');
    expect(refused(wrapper).text()).toContain('more than 24 hours ago');
    expect(refused(wrapper).text()).toContain('Private notes still work.');
    expect(input.attributes('disabled')).toBeDefined();
    expect(wrapper.get('[data-testid="composer-send"]').attributes('disabled')).toBeDefined();
    expect(wrapper.get('[data-testid="composer-attach"]').attributes('disabled')).toBeDefined();
    await wrapper.get('form').trigger('submit');
    expect(messages.send).not.toHaveBeenCalled();
    expect(input.element.value).toBe('Un momento');
  });

  it.each([
    ['disabled', acme({ is_enabled: false }), 'turned the connection off'],
    ['noReply', acme({ rights: {} }), 'can_reply'],
  ])('says why the connection refuses: %s', (reason, connection, words) => {
    const { wrapper } = inBusinessChat(60, connection);
    expect(refused(wrapper).attributes('data-reason')).toBe(reason);
    expect(refused(wrapper).text()).toContain(words);
  });

  it('still takes a private note', async () => {
    const { wrapper, input, messages } = inBusinessChat(BUSINESS_REPLY_WINDOW_S + 5);
    await wrapper.get('[data-testid="composer-note-toggle"]').trigger('click');
    expect(refused(wrapper).exists()).toBe(false);
    expect(input.attributes('disabled')).toBeUndefined();
    await type(input, 'Llamarle mañana');
    await key(input, 'Enter');
    expect(messages.sendNote).toHaveBeenCalledWith(KEY, 'Llamarle mañana');
  });

  it('shows the relay\'s reason when it refuses an answer (409)', async () => {
    const { wrapper, input, messages } = inBusinessChat(60);
    messages.send.mockRejectedValue(new ApiError(409, 'the business account does not let the bot reply (the can_reply right)'));
    await type(input, 'Hola');
    await key(input, 'Enter');
    await flushPromises();
    expect(wrapper.get('[data-testid="composer-error"]').text())
      .toBe('Not sent: the business account does not let the bot reply (the can_reply right). Your text is still here.');
    expect(input.element.value).toBe('Hola');
  });

  it('speaks Spanish', async () => {
    i18n.global.locale.value = 'es';
    const { wrapper } = inBusinessChat(BUSINESS_REPLY_WINDOW_S);
    expect(refused(wrapper).text()).toContain('más de 24 horas');
    expect(refused(wrapper).text()).toContain('Las notas privadas siguen funcionando.');
  });
});
