import { defineStore } from 'pinia';
import { markRaw, ref } from 'vue';
import { errorText } from '../api/client.js';
import { MAX_CAPTION, MAX_EDIT_TEXT, MAX_NOTE_TEXT, MAX_TEXT, MAX_UPLOAD_BYTES } from '../api/rules.js';
import { formatSize } from '../components/media/mediaFiles.js';
import { i18n } from '../i18n/index.js';
import { useConversationsStore } from './conversations.js';
import { useMessagesStore } from './messages.js';

// The relay's limits (api/rules.js): checked here first so the agent sees a clear reason at once
// instead of a refused request.
export { MAX_CAPTION, MAX_TEXT, MAX_UPLOAD_BYTES };

let nextAttachmentId = 0;

const blankDraft = () => ({
  text: '',
  mode: null, // 'reply' | 'edit' | null
  target: null, // the message replied to or being edited
  stash: null, // the draft text put aside while editing, given back afterwards
  note: false,
  attachments: [], // [{ id, file }]
  caption: '',
  error: null, // { key, params }: an i18n key under composer.errors
});

/**
 * The longest text the draft may hold, as the relay takes it: an answer may be long (it goes out
 * as several messages); an edit is of one message (of a caption, when it edits a file's); a note
 * is one message's length.
 */
export function textLimit(draft) {
  if (draft.mode === 'edit') return draft.target?.media ? MAX_CAPTION : MAX_EDIT_TEXT;
  return draft.note ? MAX_NOTE_TEXT : MAX_TEXT;
}

/**
 * What the agent is writing, per conversation, so switching chats keeps each draft: its text,
 * whether it replies to or edits a message, whether it is a private note, and files waiting to
 * be sent. Sending goes through the messages store; a refused send gives the draft back.
 */
export const useComposerStore = defineStore('composer', () => {
  const drafts = ref({});

  const activeChatId = () => useConversationsStore().activeChatId;

  /** The draft of a chat (created on first use, so the component can bind to it). */
  function draftFor(chatId) {
    if (!drafts.value[chatId]) drafts.value[chatId] = blankDraft();
    return drafts.value[chatId];
  }

  /** reply | edit | note | normal: what the composer does on Enter. */
  function modeOf(chatId) {
    const draft = drafts.value[chatId];
    if (!draft) return 'normal';
    return draft.mode ?? (draft.note ? 'note' : 'normal');
  }

  function fail(draft, key, params = {}) {
    draft.error = { key, params };
  }

  /** A refused or lost send: the relay's reason, or the console's own words in the agent's language. */
  function failSend(draft, error) {
    fail(draft, 'sendFailed', { reason: errorText(error, i18n.global.t) });
  }

  function setText(chatId, text) {
    const draft = draftFor(chatId);
    draft.text = text;
    draft.error = null;
  }

  /** Leave edit mode, giving back the draft that was there before. */
  function leaveEdit(draft) {
    if (draft.mode === 'edit') draft.text = draft.stash ?? '';
    draft.stash = null;
  }

  /** Answer `message`: it is quoted above the composer and sent as `reply_to`. */
  function startReply(message) {
    const draft = draftFor(message.chat_id);
    leaveEdit(draft);
    Object.assign(draft, { mode: 'reply', target: message, note: false, error: null });
  }

  /** Edit one of the agent's own sent messages: the draft takes its text (or caption). */
  function startEdit(message) {
    const draft = draftFor(message.chat_id);
    const stash = draft.mode === 'edit' ? draft.stash : draft.text;
    Object.assign(draft, {
      mode: 'edit', target: message, stash, note: false, error: null, text: message.text ?? '',
    });
  }

  /** Drop the reply or the edit (Esc, or the preview's ×) of a chat, the open one by default. */
  function cancel(chatId = activeChatId()) {
    const draft = drafts.value[chatId];
    if (!draft) return;
    leaveEdit(draft);
    Object.assign(draft, { mode: null, target: null, error: null });
  }

  /** Private note on/off. Not while editing; a note cannot quote, so it drops a reply. */
  function toggleNote(chatId) {
    const draft = draftFor(chatId);
    if (draft.mode === 'edit') return;
    draft.note = !draft.note;
    if (draft.note) Object.assign(draft, { mode: null, target: null });
    draft.error = null;
  }

  /** Queue files to send; a file over the upload limit is refused with its name. */
  function addFiles(chatId, files) {
    const draft = draftFor(chatId);
    if (draft.note || draft.mode === 'edit') {
      fail(draft, draft.note ? 'noteFiles' : 'editFiles');
      return;
    }
    draft.error = null;
    for (const file of Array.from(files ?? [])) {
      if (file.size > MAX_UPLOAD_BYTES) {
        fail(draft, 'fileTooLarge', { name: file.name, max: formatSize(MAX_UPLOAD_BYTES, i18n.global.locale.value) });
        continue;
      }
      // markRaw: FormData needs the File itself, not a reactive proxy of it.
      draft.attachments.push({ id: `att-${(nextAttachmentId += 1)}`, file: markRaw(file) });
    }
  }

  function removeAttachment(chatId, id) {
    const draft = draftFor(chatId);
    draft.attachments = draft.attachments.filter((attachment) => attachment.id !== id);
    if (!draft.attachments.length) draft.caption = '';
  }

  function clearAttachments(chatId) {
    Object.assign(draftFor(chatId), { attachments: [], caption: '', error: null });
  }

  function setCaption(chatId, caption) {
    const draft = draftFor(chatId);
    draft.caption = caption;
    draft.error = null;
  }

  /** The reason the draft cannot go as it is, or null. */
  function problem(chatId) {
    const draft = drafts.value[chatId];
    if (!draft) return null;
    if (draft.text.length > textLimit(draft)) {
      return { key: 'textTooLong', params: { length: draft.text.length, max: textLimit(draft) } };
    }
    if (draft.caption.length > MAX_CAPTION) {
      return { key: 'captionTooLong', params: { length: draft.caption.length, max: MAX_CAPTION } };
    }
    return null;
  }

  /**
   * Run a send: the draft is cleared at once (the bubble shows it queued); if the request is
   * refused, `restore` puts it back — unless the agent already wrote something new.
   */
  async function dispatch(draft, clear, restore, call) {
    clear();
    try {
      await call();
    } catch (error) {
      restore();
      failSend(draft, error);
      return false;
    }
    return true;
  }

  /** Enter: send the text as a reply, a note or a plain answer, or save the edit. */
  async function submit(chatId) {
    const draft = draftFor(chatId);
    const text = draft.text.trim();
    const why = problem(chatId);
    if (why) {
      fail(draft, why.key, why.params);
      return false;
    }
    const messages = useMessagesStore();
    const { mode, target, note } = draft;
    if (mode === 'edit') {
      if (!text && !target.media) return false;
      if (text === (target.text ?? '')) {
        cancel(chatId);
        return true;
      }
      const typed = draft.text;
      return dispatch(draft, () => cancel(chatId), () => {
        const stash = draft.text;
        Object.assign(draft, { mode: 'edit', target, stash, text: typed });
      }, () => messages.edit(chatId, target.id, text));
    }
    if (!text) return false;
    const replyTo = mode === 'reply' ? target.id : null;
    const restore = () => {
      if (!draft.text) draft.text = text;
      if (mode === 'reply' && !draft.mode) Object.assign(draft, { mode, target });
    };
    const clear = () => Object.assign(draft, { text: '', mode: null, target: null, error: null });
    return dispatch(draft, clear, restore, note
      ? () => messages.sendNote(chatId, text)
      : () => messages.send(chatId, text, { replyTo }));
  }

  /**
   * Send the queued files one after another (keeping their order), the caption with the first.
   * If one is refused, it and the ones after it stay queued, so nothing is sent twice.
   */
  async function submitAttachments(chatId) {
    const draft = draftFor(chatId);
    if (!draft.attachments.length) return false;
    const why = problem(chatId);
    if (why?.key === 'captionTooLong') {
      fail(draft, why.key, why.params);
      return false;
    }
    const messages = useMessagesStore();
    const { attachments, mode, target } = draft;
    let caption = draft.caption.trim();
    let replyTo = mode === 'reply' ? target.id : null;
    Object.assign(draft, { attachments: [], caption: '', error: null });
    if (replyTo) Object.assign(draft, { mode: null, target: null });
    for (const [index, { file }] of attachments.entries()) {
      try {
        await messages.sendMedia(chatId, file, { caption, replyTo });
      } catch (error) {
        draft.attachments = [...attachments.slice(index), ...draft.attachments];
        if (caption) draft.caption = caption;
        failSend(draft, error);
        return false;
      }
      caption = '';
      replyTo = null;
    }
    return true;
  }

  function reset() {
    drafts.value = {};
  }

  return {
    drafts, draftFor, modeOf, setText, startReply, startEdit, cancel, toggleNote, addFiles,
    removeAttachment, clearAttachments, setCaption, problem, submit, submitAttachments, reset,
  };
});
