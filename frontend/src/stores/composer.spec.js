import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client.js';
import { formatSize } from '../components/media/mediaFiles.js';
import { i18n } from '../i18n/index.js';
import { message } from '../test/fixtures.js';
import { MAX_EDIT_TEXT, MAX_NOTE_TEXT } from '../api/rules.js';
import { MAX_CAPTION, MAX_TEXT, MAX_UPLOAD_BYTES, useComposerStore } from './composer.js';
import { useConversationsStore } from './conversations.js';
import { useMessagesStore } from './messages.js';

/** The messages store with its sending actions replaced by spies (resolving unless told). */
function spiedMessages() {
  const messages = useMessagesStore();
  for (const name of ['send', 'sendNote', 'sendMedia', 'edit']) messages[name] = vi.fn().mockResolvedValue('cid');
  return messages;
}

const file = (name, size = 10, type = 'image/png') => {
  const f = new File(['x'], name, { type });
  Object.defineProperty(f, 'size', { value: size });
  return f;
};

const own = (id, overrides = {}) => message(id, { type: 'AGENT', direction: 'out', text: `mine ${id}`, ...overrides });

describe('composer store: drafts and modes', () => {
  it('keeps a draft per chat', () => {
    const composer = useComposerStore();
    composer.setText(1, 'for one');
    composer.setText(2, 'for two');
    expect(composer.draftFor(1).text).toBe('for one');
    expect(composer.draftFor(2).text).toBe('for two');
    expect(composer.modeOf(3)).toBe('normal');
  });

  it('replies to a message of its chat and cancels the reply', () => {
    const composer = useComposerStore();
    const quoted = message('m1', { chat_id: 4 });
    composer.setText(4, 'draft');
    composer.startReply(quoted);
    expect(composer.modeOf(4)).toBe('reply');
    expect(composer.draftFor(4).target).toEqual(quoted);
    expect(composer.draftFor(4).text).toBe('draft');
    composer.cancel(4);
    expect(composer.modeOf(4)).toBe('normal');
    expect(composer.draftFor(4).text).toBe('draft');
  });

  it('cancels in the open chat when no chat is named', () => {
    const composer = useComposerStore();
    useConversationsStore().activeChatId = 5;
    composer.startReply(message('m1', { chat_id: 5 }));
    composer.cancel();
    expect(composer.modeOf(5)).toBe('normal');
  });

  it('edits with the message text and gives the earlier draft back on cancel', () => {
    const composer = useComposerStore();
    composer.setText(1, 'half-written answer');
    composer.startEdit(own('a1', { text: 'Old text' }));
    expect(composer.modeOf(1)).toBe('edit');
    expect(composer.draftFor(1).text).toBe('Old text');
    composer.startEdit(own('a2', { text: 'Other' })); // switching edits keeps the first draft aside
    composer.cancel(1);
    expect(composer.draftFor(1).text).toBe('half-written answer');
    expect(composer.draftFor(1).target).toBeNull();
  });

  it('toggles a private note, which drops a reply and is refused while editing', () => {
    const composer = useComposerStore();
    composer.startReply(message('m1'));
    composer.toggleNote(1);
    expect(composer.modeOf(1)).toBe('note');
    expect(composer.draftFor(1).target).toBeNull();
    composer.startReply(message('m2'));
    expect(composer.modeOf(1)).toBe('reply');
    composer.startEdit(own('a1'));
    composer.toggleNote(1);
    expect(composer.modeOf(1)).toBe('edit');
  });
});

describe('composer store: sending', () => {
  it('sends a plain answer through the messages store and clears the draft', async () => {
    const messages = spiedMessages();
    const composer = useComposerStore();
    composer.setText(1, '  Hello  ');
    expect(await composer.submit(1)).toBe(true);
    expect(messages.send).toHaveBeenCalledWith(1, 'Hello', { replyTo: null });
    expect(composer.draftFor(1).text).toBe('');
  });

  it('sends a reply with the quoted message id, then leaves reply mode', async () => {
    const messages = spiedMessages();
    const composer = useComposerStore();
    composer.startReply(message('m7'));
    composer.setText(1, 'Yes');
    await composer.submit(1);
    expect(messages.send).toHaveBeenCalledWith(1, 'Yes', { replyTo: 'm7' });
    expect(composer.modeOf(1)).toBe('normal');
  });

  it('sends a note as a note, never as an answer', async () => {
    const messages = spiedMessages();
    const composer = useComposerStore();
    composer.toggleNote(1);
    composer.setText(1, 'VIP customer');
    await composer.submit(1);
    expect(messages.sendNote).toHaveBeenCalledWith(1, 'VIP customer');
    expect(messages.send).not.toHaveBeenCalled();
    expect(composer.modeOf(1)).toBe('note'); // the note mode stays on until turned off
  });

  it('saves an edit, then gives back the draft put aside', async () => {
    const messages = spiedMessages();
    const composer = useComposerStore();
    composer.setText(1, 'aside');
    composer.startEdit(own('a1', { text: 'Old' }));
    composer.setText(1, 'New');
    await composer.submit(1);
    expect(messages.edit).toHaveBeenCalledWith(1, 'a1', 'New');
    expect(composer.modeOf(1)).toBe('normal');
    expect(composer.draftFor(1).text).toBe('aside');
  });

  it('does not call the relay for an unchanged edit, nor for blank text', async () => {
    const messages = spiedMessages();
    const composer = useComposerStore();
    composer.setText(1, '   ');
    expect(await composer.submit(1)).toBe(false);
    composer.startEdit(own('a1', { text: 'Same' }));
    await composer.submit(1);
    expect(messages.edit).not.toHaveBeenCalled();
    expect(messages.send).not.toHaveBeenCalled();
    expect(composer.modeOf(1)).toBe('normal');
  });

  it('gives the draft and the reply back, with the reason, when the relay refuses', async () => {
    const messages = spiedMessages();
    messages.send.mockRejectedValue(new ApiError(400, 'reply_to is unknown'));
    const composer = useComposerStore();
    composer.startReply(message('m7'));
    composer.setText(1, 'Answer');
    expect(await composer.submit(1)).toBe(false);
    expect(composer.draftFor(1).text).toBe('Answer');
    expect(composer.modeOf(1)).toBe('reply');
    expect(composer.draftFor(1).error).toEqual({ key: 'sendFailed', params: { reason: 'reply_to is unknown' } });
  });

  it('says a failure the relay did not explain in the agent\'s language, not the browser\'s English', async () => {
    const messages = spiedMessages();
    messages.send.mockRejectedValue(new ApiError(413, 'HTTP 413', null, { key: 'errors.http', params: { status: 413 } }));
    i18n.global.locale.value = 'es';
    const composer = useComposerStore();
    composer.setText(1, 'Respuesta');
    expect(await composer.submit(1)).toBe(false);
    expect(composer.draftFor(1).error).toEqual({ key: 'sendFailed', params: { reason: 'el servidor respondió con el error 413' } });
  });

  it('keeps a refused edit open with the typed text', async () => {
    const messages = spiedMessages();
    messages.edit.mockRejectedValue(new ApiError(400, 'too old to edit'));
    const composer = useComposerStore();
    composer.setText(1, 'aside');
    composer.startEdit(own('a1', { text: 'Old' }));
    composer.setText(1, 'New');
    await composer.submit(1);
    expect(composer.modeOf(1)).toBe('edit');
    expect(composer.draftFor(1).text).toBe('New');
    composer.cancel(1);
    expect(composer.draftFor(1).text).toBe('aside');
  });

  it('refuses text over the relay limit without losing it', async () => {
    const messages = spiedMessages();
    const composer = useComposerStore();
    const long = 'x'.repeat(MAX_TEXT + 1);
    composer.setText(1, long);
    expect(composer.problem(1)).toEqual({ key: 'textTooLong', params: { length: MAX_TEXT + 1, max: MAX_TEXT } });
    expect(await composer.submit(1)).toBe(false);
    expect(messages.send).not.toHaveBeenCalled();
    expect(composer.draftFor(1).text).toBe(long);
  });

  it('holds an edited caption to the caption limit', () => {
    const composer = useComposerStore();
    composer.startEdit(own('a1', { text: 'caption', media: { kind: 'photo' } }));
    composer.setText(1, 'x'.repeat(MAX_CAPTION + 1));
    expect(composer.problem(1)?.key).toBe('textTooLong');
    expect(composer.problem(1).params.max).toBe(MAX_CAPTION);
  });

  it('holds an edited text to the relay\'s edit limit, one message, not an answer\'s', async () => {
    const messages = spiedMessages();
    const composer = useComposerStore();
    composer.startEdit(own('a1', { text: 'Old' }));
    composer.setText(1, 'x'.repeat(MAX_EDIT_TEXT));
    expect(composer.problem(1)).toBeNull();
    composer.setText(1, 'x'.repeat(MAX_EDIT_TEXT + 1));
    expect(composer.problem(1)).toEqual({ key: 'textTooLong', params: { length: MAX_EDIT_TEXT + 1, max: MAX_EDIT_TEXT } });
    expect(await composer.submit(1)).toBe(false);
    expect(messages.edit).not.toHaveBeenCalled();
    expect(MAX_EDIT_TEXT).toBeLessThan(MAX_TEXT);
  });

  it('holds a private note to the relay\'s note limit', async () => {
    const messages = spiedMessages();
    const composer = useComposerStore();
    composer.toggleNote(1);
    composer.setText(1, 'x'.repeat(MAX_NOTE_TEXT + 1));
    expect(composer.problem(1)).toEqual({ key: 'textTooLong', params: { length: MAX_NOTE_TEXT + 1, max: MAX_NOTE_TEXT } });
    expect(await composer.submit(1)).toBe(false);
    expect(messages.sendNote).not.toHaveBeenCalled();
    composer.toggleNote(1);
    expect(composer.problem(1)).toBeNull(); // an answer may be longer: it goes out as several messages
  });
});

describe('composer store: attachments', () => {
  it('queues files and refuses one over Telegram\'s 50 MB by name', () => {
    const composer = useComposerStore();
    composer.addFiles(1, [file('a.png'), file('huge.zip', MAX_UPLOAD_BYTES + 1)]);
    expect(composer.draftFor(1).attachments.map((a) => a.file.name)).toEqual(['a.png']);
    // 50,000,000 bytes, written in the binary units every file size in the console is written in
    expect(composer.draftFor(1).error).toEqual({ key: 'fileTooLarge', params: { name: 'huge.zip', max: '48 MB' } });
  });

  it('writes the upload limit as a size in the console\'s language, not a literal', () => {
    i18n.global.locale.value = 'fr'; // a language whose unit reads differently ("Mo")
    const composer = useComposerStore();
    composer.addFiles(1, [file('huge.zip', MAX_UPLOAD_BYTES + 1)]);
    expect(composer.draftFor(1).error.params.max).toBe(formatSize(MAX_UPLOAD_BYTES, 'fr'));
    expect(composer.draftFor(1).error.params.max).not.toBe('48 MB');
  });

  it('refuses files in a note or an edit', () => {
    const composer = useComposerStore();
    composer.toggleNote(1);
    composer.addFiles(1, [file('a.png')]);
    expect(composer.draftFor(1).attachments).toEqual([]);
    expect(composer.draftFor(1).error.key).toBe('noteFiles');
  });

  it('sends each file in order, the caption and the reply with the first', async () => {
    const messages = spiedMessages();
    const composer = useComposerStore();
    const [a, b] = [file('a.png'), file('b.pdf', 10, 'application/pdf')];
    composer.startReply(message('m3'));
    composer.addFiles(1, [a, b]);
    composer.setCaption(1, ' Your invoice ');
    expect(await composer.submitAttachments(1)).toBe(true);
    expect(messages.sendMedia.mock.calls).toEqual([
      [1, a, { caption: 'Your invoice', replyTo: 'm3' }],
      [1, b, { caption: '', replyTo: null }],
    ]);
    expect(messages.sendMedia.mock.calls[0][1]).toBe(a); // the File itself, not a proxy
    expect(composer.draftFor(1).attachments).toEqual([]);
    expect(composer.modeOf(1)).toBe('normal');
  });

  it('keeps the refused file and those after it, never resending the ones that went', async () => {
    const messages = spiedMessages();
    messages.sendMedia.mockResolvedValueOnce('c1').mockRejectedValueOnce(new ApiError(413, 'too big'));
    const composer = useComposerStore();
    composer.addFiles(1, [file('a.png'), file('b.png'), file('c.png')]);
    composer.setCaption(1, 'cap');
    await composer.submitAttachments(1);
    expect(composer.draftFor(1).attachments.map((a) => a.file.name)).toEqual(['b.png', 'c.png']);
    expect(composer.draftFor(1).caption).toBe('');
    expect(composer.draftFor(1).error.key).toBe('sendFailed');
  });

  it('says a lost upload in the agent\'s language', async () => {
    const messages = spiedMessages();
    messages.sendMedia.mockRejectedValue(new ApiError(0, 'Failed to fetch', null, { key: 'errors.network' }));
    i18n.global.locale.value = 'es';
    const composer = useComposerStore();
    composer.addFiles(1, [file('a.png')]);
    await composer.submitAttachments(1);
    expect(composer.draftFor(1).error.params.reason).toBe('no se pudo contactar con el servidor; revisa la conexión');
  });

  it('refuses a caption over 1,024 characters and keeps everything', async () => {
    const messages = spiedMessages();
    const composer = useComposerStore();
    composer.addFiles(1, [file('a.png')]);
    composer.setCaption(1, 'x'.repeat(MAX_CAPTION + 1));
    expect(await composer.submitAttachments(1)).toBe(false);
    expect(messages.sendMedia).not.toHaveBeenCalled();
    expect(composer.draftFor(1).attachments).toHaveLength(1);
    expect(composer.draftFor(1).error.key).toBe('captionTooLong');
  });

  it('removes one file, or all of them with the caption', () => {
    const composer = useComposerStore();
    composer.addFiles(1, [file('a.png'), file('b.png')]);
    composer.setCaption(1, 'cap');
    composer.removeAttachment(1, composer.draftFor(1).attachments[0].id);
    expect(composer.draftFor(1).attachments.map((a) => a.file.name)).toEqual(['b.png']);
    composer.clearAttachments(1);
    expect(composer.draftFor(1)).toMatchObject({ attachments: [], caption: '' });
  });
});
