import { flushPromises } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client.js';
import * as desk from '../api/desk.js';
import { message } from '../test/fixtures.js';
import { CLIENT_ID_PATTERN } from '../utils/clientId.js';
import { useMessagesStore } from './messages.js';
import { useSessionStore } from './session.js';

vi.mock('../api/desk.js');

const ids = (store, chatId = 1) => store.forChat(chatId).map((m) => m.id);

async function loaded(messages = []) {
  desk.listMessages.mockResolvedValueOnce({ messages });
  const store = useMessagesStore();
  await store.fetch(1);
  return store;
}

/** The server's echo of an agent answer, as in the 202 and the `message` event. */
const stored = (clientId, overrides = {}) => message(`agent-${clientId}`, {
  type: 'AGENT', direction: 'out', client_id: clientId, text: 'Hi', date: 200,
  agent: { username: 'ana', name: 'Ana' }, delivery: { state: 'queued' }, ...overrides,
});

describe('messages store: history and socket', () => {
  it('loads a conversation oldest first', async () => {
    const store = await loaded([message('a', { date: 1 }), message('b', { date: 2 })]);
    expect(ids(store)).toEqual(['a', 'b']);
    expect(store.isLoading(1)).toBe(false);
  });

  it('appends socket messages once, however often they come', async () => {
    const store = await loaded([message('a', { date: 1 })]);
    store.receive(message('b', { date: 2 }));
    store.receive(message('b', { date: 2 }));
    store.receive(message('a', { date: 1 }));
    expect(ids(store)).toEqual(['a', 'b']);
  });

  it('puts a late message in date order', async () => {
    const store = await loaded([message('a', { date: 1 }), message('c', { date: 3 })]);
    store.receive(message('b', { date: 2 }));
    expect(ids(store)).toEqual(['a', 'b', 'c']);
  });

  it('ignores socket messages of conversations it has not loaded', () => {
    const store = useMessagesStore();
    store.receive(message('x', { chat_id: 9 }));
    expect(store.forChat(9)).toEqual([]);
  });

  it('merges a refetch with what it holds, without duplicates', async () => {
    const store = await loaded([message('a', { date: 1 }), message('b', { date: 2 })]);
    store.receive(message('d', { date: 4 }));
    desk.listMessages.mockResolvedValueOnce({
      messages: [message('b', { date: 2 }), message('c', { date: 3 }), message('d', { date: 4 })],
    });
    await store.fetch(1);
    expect(ids(store)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('keeps a load error', async () => {
    desk.listMessages.mockRejectedValueOnce(new ApiError(404, 'no such conversation'));
    const store = useMessagesStore();
    await store.fetch(1);
    expect(store.errorFor(1).status).toBe(404);
  });
});

describe('messages store: sending', () => {
  it('shows the answer at once as queued, then takes the stored message', async () => {
    useSessionStore().agent = { username: 'ana', name: 'Ana' };
    let answer;
    desk.sendMessage.mockImplementation(() => new Promise((resolve) => { answer = resolve; }));
    const store = await loaded([message('a', { date: 1 })]);

    const sending = store.send(1, 'Hi');
    const [, optimistic] = store.forChat(1);
    expect(optimistic).toMatchObject({ id: null, type: 'AGENT', direction: 'out', text: 'Hi', delivery: { state: 'queued' } });
    expect(optimistic.client_id).toMatch(CLIENT_ID_PATTERN);
    expect(optimistic.agent).toEqual({ username: 'ana', name: 'Ana' });
    expect(desk.sendMessage).toHaveBeenCalledWith(1, 'Hi', optimistic.client_id, null);

    answer({ message: stored(optimistic.client_id) });
    await sending;
    expect(ids(store)).toEqual(['a', `agent-${optimistic.client_id}`]);
    expect(store.forChat(1)[1].delivery.state).toBe('queued');
  });

  it('updates the tick from delivery events, matched by client_id', async () => {
    const store = await loaded();
    desk.sendMessage.mockImplementation(async (_chat, _text, clientId) => ({ message: stored(clientId) }));
    const clientId = await store.send(1, 'Hi');
    store.applyDelivery({ chat_id: 1, client_id: clientId, message_id: `agent-${clientId}`, state: 'sent', reason: null });
    expect(store.forChat(1)[0].delivery).toEqual({ state: 'sent' });
  });

  it('never goes back to queued once sent, whatever order things arrive in', async () => {
    const store = await loaded();
    let answer;
    desk.sendMessage.mockImplementation(() => new Promise((resolve) => { answer = resolve; }));
    const sending = store.send(1, 'Hi');
    const clientId = store.forChat(1)[0].client_id;
    // deliver was quicker than the 202, and the socket echo comes last
    store.applyDelivery({ chat_id: 1, client_id: clientId, message_id: `agent-${clientId}`, state: 'sent' });
    expect(store.forChat(1)[0].id).toBe(`agent-${clientId}`);
    answer({ message: stored(clientId) });
    await sending;
    store.receive(stored(clientId));
    expect(store.forChat(1)).toHaveLength(1);
    expect(store.forChat(1)[0].delivery.state).toBe('sent');
  });

  it('shows a failure and its reason', async () => {
    const store = await loaded();
    desk.sendMessage.mockImplementation(async (_chat, _text, clientId) => ({ message: stored(clientId) }));
    const clientId = await store.send(1, 'Hi');
    store.applyDelivery({ chat_id: 1, client_id: clientId, message_id: `agent-${clientId}`, state: 'failed', reason: 'bot was blocked by the user' });
    expect(store.forChat(1)[0].delivery).toEqual({ state: 'failed', reason: 'bot was blocked by the user' });
  });

  it('keeps a failure\'s cause, which the tick words (maybe_sent)', async () => {
    const store = await loaded();
    desk.sendMessage.mockImplementation(async (_chat, _text, clientId) => ({ message: stored(clientId) }));
    const clientId = await store.send(1, 'Hi');
    store.applyDelivery({ chat_id: 1, client_id: clientId, message_id: `agent-${clientId}`, state: 'failed',
      reason: 'may have reached the customer', cause: 'maybe_sent' });
    expect(store.forChat(1)[0].delivery).toMatchObject({ state: 'failed', cause: 'maybe_sent' });
  });

  it('keeps a lost request\'s failure as a key the tick translates', async () => {
    const store = await loaded();
    desk.sendMessage.mockRejectedValue(Object.assign(new Error('Failed to fetch'), { status: 0, key: 'errors.network' }));
    await store.send(1, 'Hi').catch(() => {});
    const held = store.forChat(1).find((m) => m.text === 'Hi');
    expect(held.delivery).toMatchObject({ state: 'failed', reason: 'Failed to fetch', reason_key: 'errors.network' });
  });

  it('follows an agent\'s retry of a failed answer from another console, and ignores stale ticks', async () => {
    const store = await loaded();
    const id = 'agent-someone-else-1';
    store.receive({ ...stored('someone-else-1'), id, delivery: { state: 'failed', reason: 'Bad Request' } });
    const tick = () => store.forChat(1).find((m) => m.id === id).delivery;
    store.applyDelivery({ chat_id: 1, client_id: 'someone-else-1', message_id: id, state: 'queued', retry: 1 });
    expect(tick()).toEqual({ state: 'queued', retry: 1 });
    store.applyDelivery({ chat_id: 1, client_id: 'someone-else-1', message_id: id, state: 'failed', reason: 'old' });
    expect(tick().state).toBe('queued'); // the first attempt's failure, late: not this retry's
    store.applyDelivery({ chat_id: 1, client_id: 'someone-else-1', message_id: id, state: 'sent', retry: 1 });
    expect(tick()).toEqual({ state: 'sent', retry: 1 });
  });

  it('takes the bubble back and throws when the relay refuses it, so the draft comes back', async () => {
    const store = await loaded();
    desk.sendMessage.mockRejectedValue(new ApiError(400, 'text is longer than 4096 characters'));
    await expect(store.send(1, 'x'.repeat(5000))).rejects.toThrow('text is longer than 4096 characters');
    expect(store.forChat(1)).toEqual([]);
  });

  it('marks the bubble failed when the request is lost, and sends it again with the same key', async () => {
    const store = await loaded();
    desk.sendMessage.mockRejectedValueOnce(new ApiError(0, 'network error'));
    const clientId = await store.send(1, 'Hi');
    expect(store.forChat(1)[0].delivery).toEqual({ state: 'failed', reason: 'network error' });

    desk.sendMessage.mockImplementationOnce(async (_chat, _text, key) => ({ message: stored(key) }));
    await store.retry(1, clientId);
    expect(desk.sendMessage).toHaveBeenLastCalledWith(1, 'Hi', clientId, null);
    expect(store.forChat(1)).toHaveLength(1);
    expect(store.forChat(1)[0]).toMatchObject({ id: `agent-${clientId}`, delivery: { state: 'queued' } });
  });

  it('sends a reply with the quoted message id, shown quoted at once', async () => {
    const store = await loaded([message('tg-1-5', { date: 1 })]);
    desk.sendMessage.mockImplementation(() => new Promise(() => {}));
    store.send(1, 'About that', { replyTo: 'tg-1-5' });
    expect(desk.sendMessage).toHaveBeenCalledWith(1, 'About that', expect.any(String), 'tg-1-5');
    expect(store.forChat(1)[1].reply_to).toEqual({ message_id: 'tg-1-5' });
  });

  it('keeps a delivery that comes before its message, for when it does', async () => {
    const store = await loaded();
    store.applyDelivery({ chat_id: 1, client_id: 'other-agent-1', message_id: 'agent-other-agent-1', state: 'sent' });
    store.receive(stored('other-agent-1'));
    expect(store.forChat(1)[0].delivery.state).toBe('sent');
  });

  it('keeps an unacknowledged answer through a refetch', async () => {
    const store = await loaded([message('a', { date: 1 })]);
    desk.sendMessage.mockImplementation(() => new Promise(() => {}));
    store.send(1, 'still going');
    desk.listMessages.mockResolvedValueOnce({ messages: [message('a', { date: 1 }), message('b', { date: 2 })] });
    await store.fetch(1);
    await flushPromises();
    expect(store.forChat(1).map((m) => m.text)).toEqual(['text of a', 'text of b', 'still going']);
  });
});

describe('messages store: while loading', () => {
  it('keeps a socket message that arrives before the history does', async () => {
    let answer;
    desk.listMessages.mockImplementation(() => new Promise((resolve) => { answer = resolve; }));
    const store = useMessagesStore();
    const loading = store.fetch(1);
    expect(store.isLoading(1)).toBe(true);
    store.receive(message('new', { date: 5 }));
    answer({ messages: [message('old', { date: 1 })] });
    await loading;
    expect(ids(store)).toEqual(['old', 'new']);
  });
});

describe('messages store: notes and files', () => {
  it('shows a private note at once, then settles it when stored', async () => {
    const store = await loaded();
    let answer;
    desk.sendNote.mockImplementation(() => new Promise((resolve) => { answer = resolve; }));
    const sending = store.sendNote(1, 'VIP customer');
    const [note] = store.forChat(1);
    expect(note).toMatchObject({ direction: 'note', private: true, text: 'VIP customer', delivery: { state: 'queued' } });
    expect(desk.sendNote).toHaveBeenCalledWith(1, 'VIP customer', note.client_id);
    answer({ message: message(`note-${note.client_id}`, { direction: 'note', private: true, client_id: note.client_id, text: 'VIP customer' }) });
    await sending;
    expect(store.forChat(1)).toHaveLength(1);
    expect(store.forChat(1)[0]).toMatchObject({ id: `note-${note.client_id}`, delivery: { state: 'sent' } });
  });

  it('shows an image at once with a local preview, and keeps it until the relay has a URL', async () => {
    globalThis.URL.createObjectURL = vi.fn(() => 'blob:preview-1');
    const store = await loaded();
    const file = new File(['x'], 'label.png', { type: 'image/png' });
    desk.sendMedia.mockImplementation(async (_chat, _file, clientId) => ({
      message: stored(clientId, { text: 'the label', media: { kind: 'photo', filename: 'label.png', blob: 'b1' } }),
    }));
    const clientId = await store.sendMedia(1, file, { caption: 'the label', replyTo: 'tg-1-5' });
    expect(desk.sendMedia).toHaveBeenCalledWith(1, file, clientId, { caption: 'the label', kind: null, replyTo: 'tg-1-5' });
    expect(store.forChat(1)[0].media).toMatchObject({ kind: 'photo', blob: 'b1', local_url: 'blob:preview-1' });
    store.receive(stored(clientId, { revision: 1, media: { kind: 'photo', url: '/api/conversations/1/messages/m/media' } }));
    expect(store.forChat(1)[0].media.local_url).toBeUndefined();
  });

  it('keeps the file URL the socket brought when the upload\'s own answer comes after it', async () => {
    globalThis.URL.createObjectURL = vi.fn(() => 'blob:preview-1');
    const store = await loaded();
    const url = '/api/conversations/1/messages/m/media';
    let answer;
    desk.sendMedia.mockImplementation(() => new Promise((resolve) => { answer = resolve; }));
    const sending = store.sendMedia(1, new File(['x'], 'label.png', { type: 'image/png' }), {});
    const clientId = store.forChat(1)[0].client_id;
    store.receive(stored(clientId, { media: { kind: 'photo', file_id: 'F-1', url } }));
    answer({ message: stored(clientId, { media: { kind: 'photo', filename: 'label.png', blob: 'b1' } }) });
    await sending;
    expect(store.forChat(1)[0].media).toMatchObject({ kind: 'photo', url, file_id: 'F-1' });
  });

  it('shows a document as a file, with no preview', async () => {
    const store = await loaded();
    desk.sendMedia.mockImplementation(() => new Promise(() => {}));
    store.sendMedia(1, new File(['%PDF'], 'invoice.pdf', { type: 'application/pdf' }));
    expect(store.forChat(1)[0].media).toEqual({ kind: 'document', filename: 'invoice.pdf', mime_type: 'application/pdf', size: 4 });
  });
});

describe('messages store: edits, deletes, revisions', () => {
  it('replaces a message with a higher revision and ignores a lower one', async () => {
    const store = await loaded([message('a', { date: 1, text: 'v1' })]);
    store.receive(message('a', { date: 1, text: 'v3', revision: 3, edited: true }));
    store.receive(message('a', { date: 1, text: 'v2', revision: 2, edited: true }));
    expect(store.forChat(1)[0]).toMatchObject({ text: 'v3', revision: 3 });
  });

  it('drops fields a newer revision no longer has', async () => {
    const store = await loaded([message('a', { date: 1, reactions: { customer: ['👍'] }, revision: 1 })]);
    store.receive(message('a', { date: 1, revision: 2 }));
    expect(store.forChat(1)[0].reactions).toBeUndefined();
  });

  it('asks the relay to edit and delete, and lets a refusal through', async () => {
    const store = await loaded();
    desk.editMessage.mockResolvedValue({});
    await store.edit(1, 'agent-1', 'fixed');
    expect(desk.editMessage).toHaveBeenCalledWith(1, 'agent-1', 'fixed');
    desk.deleteMessage.mockRejectedValue(new ApiError(409, 'the message is not sent yet'));
    await expect(store.remove(1, 'agent-1')).rejects.toThrow('not sent yet');
  });

  it('retries a failed answer the relay holds, back to queued', async () => {
    const store = await loaded([stored('k1', { delivery: { state: 'failed', reason: 'Bad Gateway' } })]);
    desk.retryMessage.mockResolvedValue({ message: stored('k1', { delivery: { state: 'queued' } }) });
    await store.retry(1, 'agent-k1');
    expect(desk.retryMessage).toHaveBeenCalledWith(1, 'agent-k1');
    expect(store.forChat(1)[0].delivery.state).toBe('queued');
    store.applyDelivery({ chat_id: 1, client_id: 'k1', message_id: 'agent-k1', state: 'sent' });
    expect(store.forChat(1)[0].delivery.state).toBe('sent');
  });

  it('shows the reason when a retry is refused', async () => {
    const store = await loaded([stored('k1', { delivery: { state: 'failed', reason: 'x' } })]);
    desk.retryMessage.mockRejectedValue(new ApiError(409, 'the message is not failed'));
    await store.retry(1, 'agent-k1');
    expect(store.forChat(1)[0].delivery).toEqual({ state: 'failed', reason: 'the message is not failed' });
  });
});

describe('messages store: older history', () => {
  const page = (from, count) => Array.from({ length: count }, (_, i) => message(`m${from + i}`, { date: from + i, stored_at: from + i }));

  it('pages back from the oldest stored_at until a page comes back short', async () => {
    const store = await loaded(page(100, 50));
    expect(store.hasOlder(1)).toBe(true);
    desk.listMessages.mockResolvedValueOnce({ messages: page(50, 50) });
    await store.loadOlder(1);
    expect(desk.listMessages).toHaveBeenLastCalledWith(1, 100);
    expect(store.forChat(1)).toHaveLength(100);
    expect(store.forChat(1)[0].id).toBe('m50');
    desk.listMessages.mockResolvedValueOnce({ messages: page(40, 10) });
    await store.loadOlder(1);
    expect(desk.listMessages).toHaveBeenLastCalledWith(1, 50);
    expect(store.hasOlder(1)).toBe(false);
    await store.loadOlder(1);
    expect(desk.listMessages).toHaveBeenCalledTimes(3);
    expect(ids(store).slice(0, 3)).toEqual(['m40', 'm41', 'm42']);
  });

  it('knows at once that a short first page is all there is', async () => {
    const store = await loaded(page(1, 3));
    expect(store.hasOlder(1)).toBe(false);
  });

  it('loads one older page at a time and says so', async () => {
    const store = await loaded(page(100, 50));
    let answer;
    desk.listMessages.mockImplementationOnce(() => new Promise((resolve) => { answer = resolve; }));
    const first = store.loadOlder(1);
    store.loadOlder(1);
    expect(store.isLoadingOlder(1)).toBe(true);
    answer({ messages: [] });
    await first;
    expect(store.isLoadingOlder(1)).toBe(false);
    expect(desk.listMessages).toHaveBeenCalledTimes(2);
  });

  it('orders messages of the same second by when they were stored', async () => {
    const store = await loaded([message('b', { date: 5, stored_at: 5.2 })]);
    store.receive(message('a', { date: 5, stored_at: 5.1 }));
    expect(ids(store)).toEqual(['a', 'b']);
  });
});

describe('messages store: upload previews are freed', () => {
  const photo = () => new File(['x'], 'label.png', { type: 'image/png' });

  function withPreviews() {
    let n = 0;
    globalThis.URL.createObjectURL = vi.fn(() => `blob:preview-${++n}`);
    globalThis.URL.revokeObjectURL = vi.fn();
    return globalThis.URL.revokeObjectURL;
  }

  it('frees the preview once the relay\'s message has its own URL', async () => {
    const revoke = withPreviews();
    const store = await loaded();
    desk.sendMedia.mockImplementation(async (_chat, _file, clientId) => ({
      message: stored(clientId, { media: { kind: 'photo', filename: 'label.png' } }),
    }));
    const clientId = await store.sendMedia(1, photo());
    expect(revoke).not.toHaveBeenCalled(); // still the only picture there is
    store.receive(stored(clientId, { revision: 1, media: { kind: 'photo', url: '/api/conversations/1/messages/m/media' } }));
    expect(revoke).toHaveBeenCalledExactlyOnceWith('blob:preview-1');
  });

  it('frees the preview of an upload the relay refuses', async () => {
    const revoke = withPreviews();
    const store = await loaded();
    desk.sendMedia.mockRejectedValue(new ApiError(413, 'file too large'));
    await expect(store.sendMedia(1, photo())).rejects.toThrow('file too large');
    expect(store.forChat(1)).toEqual([]);
    expect(revoke).toHaveBeenCalledExactlyOnceWith('blob:preview-1');
  });

  it('keeps a refused retry failed, with its preview, instead of taking it back', async () => {
    const revoke = withPreviews();
    const store = await loaded();
    desk.sendMedia.mockRejectedValueOnce(new ApiError(0, 'network error'));
    const clientId = await store.sendMedia(1, photo());
    desk.sendMedia.mockRejectedValueOnce(new ApiError(413, 'file too large'));
    await store.retry(1, clientId);
    expect(store.forChat(1)).toHaveLength(1);
    expect(store.forChat(1)[0]).toMatchObject({ delivery: { state: 'failed', reason: 'file too large' }, media: { local_url: 'blob:preview-1' } });
    expect(revoke).not.toHaveBeenCalled();
  });

  it('does not delete another message when the refused bubble is already gone', async () => {
    const store = await loaded([message('a', { date: 1 }), message('b', { date: 2 })]);
    let refuse;
    desk.sendMessage.mockImplementation(() => new Promise((_resolve, reject) => { refuse = reject; }));
    const sending = store.send(1, 'Hi');
    store.byChat[1].splice(2, 1); // the bubble went some other way
    refuse(new ApiError(400, 'bad'));
    await expect(sending).rejects.toThrow('bad');
    expect(ids(store)).toEqual(['a', 'b']);
  });
});

describe('messages store: after logout', () => {
  it('drops a history page that arrives after reset', async () => {
    let answer;
    desk.listMessages.mockImplementationOnce(() => new Promise((resolve) => { answer = resolve; }));
    const store = useMessagesStore();
    const loading = store.fetch(1);
    store.reset();
    answer({ messages: [message('a', { date: 1 })] });
    await loading;
    expect(store.byChat).toEqual({});
    expect(store.isLoading(1)).toBe(false);
    expect(store.hasOlder(1)).toBe(false);
  });

  it('drops an older page and a send answer that arrive after reset', async () => {
    const page = Array.from({ length: 50 }, (_, i) => message(`m${i}`, { date: i, stored_at: i + 1 }));
    const store = await loaded(page);
    let older;
    let sent;
    desk.listMessages.mockImplementationOnce(() => new Promise((resolve) => { older = resolve; }));
    desk.sendMessage.mockImplementationOnce(() => new Promise((resolve) => { sent = resolve; }));
    const paging = store.loadOlder(1);
    const sending = store.send(1, 'Hi');
    const clientId = store.forChat(1).at(-1).client_id;
    store.reset();
    older({ messages: [message('old', { date: 0, stored_at: 0.5 })] });
    sent({ message: stored(clientId) });
    await Promise.all([paging, sending]);
    expect(store.byChat).toEqual({});
    expect(store.isLoadingOlder(1)).toBe(false);
  });
});

describe('messages store: a refetch after a long disconnection', () => {
  const page = (from, count) => Array.from({ length: count }, (_, i) => message(`m${from + i}`, { date: from + i, stored_at: from + i }));

  it('replaces the list with a full page newer than all it held, and pages back from there', async () => {
    const store = await loaded(page(1, 10));
    expect(store.hasOlder(1)).toBe(false);
    desk.sendMessage.mockImplementation(() => new Promise(() => {}));
    store.send(1, 'still going'); // an unsent bubble has no stored_at: it stays
    desk.listMessages.mockResolvedValueOnce({ messages: page(200, 50) });
    await store.fetch(1);
    expect(ids(store)).toEqual([...page(200, 50).map((m) => m.id), null]);
    expect(store.hasOlder(1)).toBe(true);
    desk.listMessages.mockResolvedValueOnce({ messages: page(150, 50) });
    await store.loadOlder(1);
    expect(desk.listMessages).toHaveBeenLastCalledWith(1, 200);
    expect(ids(store)[0]).toBe('m150');
  });

  it('asks for the pages back to an answer it holds as queued that the refetched page no longer covers', async () => {
    const answer = stored('c1', { date: 5, stored_at: 5.5 });
    const store = await loaded([...page(1, 10), answer]);
    desk.listMessages.mockResolvedValueOnce({ messages: page(8, 50) }); // overlaps: no hole
    desk.listMessages.mockResolvedValueOnce({
      messages: [...page(1, 7), { ...answer, delivery: { state: 'failed', reason: 'may have reached the customer' } }],
    });
    await store.fetch(1);
    expect(desk.listMessages).toHaveBeenLastCalledWith(1, 8);
    expect(store.find(1, 'agent-c1').delivery).toEqual({ state: 'failed', reason: 'may have reached the customer' });
  });

  it('asks for no older page when the refetched page covers every answer it holds as queued', async () => {
    const store = await loaded([...page(1, 10), stored('c1', { date: 9, stored_at: 9.5 })]);
    desk.listMessages.mockClear();
    desk.listMessages.mockResolvedValueOnce({ messages: page(8, 50) });
    await store.fetch(1);
    expect(desk.listMessages).toHaveBeenCalledTimes(1);
  });

  it('merges a full page that overlaps what it holds, as before', async () => {
    const store = await loaded(page(1, 10));
    desk.listMessages.mockResolvedValueOnce({ messages: page(10, 50) });
    await store.fetch(1);
    expect(ids(store)).toHaveLength(59);
    expect(store.hasOlder(1)).toBe(false);
  });

  it('ignores an older page asked for before the list was replaced', async () => {
    const store = await loaded(page(100, 50));
    let answer;
    desk.listMessages.mockImplementationOnce(() => new Promise((resolve) => { answer = resolve; }));
    const paging = store.loadOlder(1);
    desk.listMessages.mockResolvedValueOnce({ messages: page(300, 50) });
    await store.fetch(1);
    answer({ messages: page(50, 50) });
    await paging;
    expect(ids(store)[0]).toBe('m300');
    expect(store.hasOlder(1)).toBe(true);
    expect(store.isLoadingOlder(1)).toBe(false);
  });
});
