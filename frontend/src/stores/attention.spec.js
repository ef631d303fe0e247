import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as desk from '../api/desk.js';
import { conversation, message } from '../test/fixtures.js';
import { BEEP_GAP_MS, useAttentionStore } from './attention.js';
import { useConversationsStore } from './conversations.js';
import { useSessionStore } from './session.js';

vi.mock('../api/desk.js');

/** A WebAudio stand-in that counts the tones played. */
function fakeAudio() {
  const tones = [];
  const param = () => ({ setValueAtTime: vi.fn(), exponentialRampToValueAtTime: vi.fn() });
  class FakeContext {
    constructor() {
      this.currentTime = 0;
      this.destination = {};
      this.resume = vi.fn();
      FakeContext.made += 1;
    }

    createOscillator() {
      const tone = { frequency: param(), connect: vi.fn(), start: vi.fn(), stop: vi.fn() };
      tones.push(tone);
      return tone;
    }

    createGain() {
      return { gain: param(), connect: vi.fn() };
    }
  }
  FakeContext.made = 0;
  vi.stubGlobal('AudioContext', FakeContext);
  return { tones, FakeContext };
}

/** A Notification stand-in: records what was shown; the permission answer is chosen. */
function fakeNotifications(permission = 'granted', answer = 'granted') {
  const shown = [];
  class FakeNotification {
    constructor(title, options) {
      Object.assign(this, { title, ...options, close: vi.fn() });
      shown.push(this);
    }
  }
  FakeNotification.permission = permission;
  FakeNotification.requestPermission = vi.fn(async () => {
    FakeNotification.permission = answer;
    return answer;
  });
  vi.stubGlobal('Notification', FakeNotification);
  return { shown, FakeNotification };
}

const hidden = (value) => vi.spyOn(document, 'hidden', 'get').mockReturnValue(value);

describe('attention store', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date(2026, 0, 1, 12, 0, 0));
  });

  afterEach(() => vi.useRealTimers());

  it('has every call on by default and remembers the choice', () => {
    expect(useAttentionStore().prefs).toEqual({ sound: true, title: true, notify: true });
    useAttentionStore().set('sound', false);
    expect(JSON.parse(localStorage.getItem('teledesk.attention'))).toEqual({ sound: false, title: true, notify: true });
    localStorage.setItem('teledesk.attention', JSON.stringify({ title: false, notify: 'yes' }));
    setActivePinia(createPinia());
    expect(useAttentionStore().prefs).toEqual({ sound: true, title: false, notify: true });
  });

  it('plays one short tone per burst of customer messages', () => {
    const { tones } = fakeAudio();
    const attention = useAttentionStore();
    attention.onCustomerMessage(message('a', { chat_id: 3 }));
    attention.onCustomerMessage(message('b', { chat_id: 3 }));
    expect(tones).toHaveLength(1);
    expect(tones[0].start).toHaveBeenCalled();
    expect(tones[0].stop).toHaveBeenCalled();
    vi.advanceTimersByTime(BEEP_GAP_MS);
    attention.onCustomerMessage(message('c', { chat_id: 4 }));
    expect(tones).toHaveLength(2);
  });

  it('stays quiet for the open chat, repeats, edits, agents, and when the sound is off', () => {
    const { tones } = fakeAudio();
    desk.listMessages.mockResolvedValue({ messages: [] });
    desk.markRead.mockResolvedValue({});
    const attention = useAttentionStore();
    useConversationsStore().open(3);
    attention.onCustomerMessage(message('a', { chat_id: 3 }));
    attention.onCustomerMessage(message('b', { chat_id: 4, edited: true, revision: 2 }));
    attention.onCustomerMessage(message('c', { chat_id: 4, type: 'AGENT', direction: 'out' }));
    attention.onCustomerMessage(message('d', { chat_id: 4, direction: 'note' }));
    attention.set('sound', false);
    attention.onCustomerMessage(message('e', { chat_id: 4 }));
    expect(tones).toHaveLength(0);
    attention.set('sound', true);
    attention.onCustomerMessage(message('e', { chat_id: 4 }));
    expect(tones).toHaveLength(0);
    attention.onCustomerMessage(message('f', { chat_id: 4 }));
    expect(tones).toHaveLength(1);
  });

  it('shows a desktop notification only while the console is hidden, even for the open chat', () => {
    fakeAudio();
    const { shown } = fakeNotifications('granted');
    const attention = useAttentionStore();
    useConversationsStore().activeChatId = 3;
    attention.onCustomerMessage(message('a', { chat_id: 5 }));
    expect(shown).toHaveLength(0);
    hidden(true);
    attention.onCustomerMessage(
      message('b', { chat_id: 3, text: '<b>Hola</b>' }),
      conversation(3, { customer: { id: 3, first_name: 'Ana', last_name: 'García' } }),
    );
    attention.onCustomerMessage(message('c', { chat_id: 7, text: '', media: { kind: 'photo' }, customer: { id: 7, username: 'pepe' } }));
    expect(shown.map((n) => [n.title, n.body, n.tag])).toEqual([
      ['Ana García', '<b>Hola</b>', 'teledesk-chat-3'],
      ['@pepe', 'Photo', 'teledesk-chat-7'],
    ]);
    attention.set('notify', false);
    attention.onCustomerMessage(message('d', { chat_id: 7 }));
    expect(shown).toHaveLength(2);
  });

  it('opens the chat when the agent clicks the notification', () => {
    desk.listMessages.mockResolvedValue({ messages: [] });
    desk.markRead.mockResolvedValue({});
    const { shown } = fakeNotifications('granted');
    vi.stubGlobal('focus', vi.fn());
    useSessionStore().status = 'authenticated';
    hidden(true);
    useAttentionStore().onCustomerMessage(message('a', { chat_id: 9 }));
    shown[0].onclick();
    expect(globalThis.focus).toHaveBeenCalled();
    expect(useConversationsStore().activeChatId).toBe(9);
    expect(shown[0].close).toHaveBeenCalled();
  });

  it('does nothing but close when a notification is clicked after logout', () => {
    const { shown } = fakeNotifications('granted');
    vi.stubGlobal('focus', vi.fn());
    hidden(true);
    useAttentionStore().onCustomerMessage(message('a', { chat_id: 9 }));
    shown[0].onclick(); // signed out (the session store says anonymous)
    expect(shown[0].close).toHaveBeenCalled();
    expect(globalThis.focus).not.toHaveBeenCalled();
    expect(useConversationsStore().activeChatId).toBeNull();
    expect(desk.listMessages).not.toHaveBeenCalled();
  });

  it('closes its notifications and forgets what it announced on reset', () => {
    fakeAudio();
    const { shown } = fakeNotifications('granted');
    const attention = useAttentionStore();
    hidden(true);
    attention.onCustomerMessage(message('a', { chat_id: 3 }));
    attention.onCustomerMessage(message('b', { chat_id: 4 }));
    shown[1].onclose(); // the agent closed this one already
    attention.reset();
    expect(shown[0].close).toHaveBeenCalledOnce();
    expect(shown[1].close).not.toHaveBeenCalled();
    attention.onCustomerMessage(message('a', { chat_id: 3 })); // the next session announces it again
    expect(shown).toHaveLength(3);
  });

  it('does not notify without the permission, and asks for it only on a gesture', async () => {
    const { shown, FakeNotification } = fakeNotifications('default', 'granted');
    const attention = useAttentionStore();
    hidden(true);
    attention.onCustomerMessage(message('a', { chat_id: 2 }));
    expect(shown).toHaveLength(0);
    expect(FakeNotification.requestPermission).not.toHaveBeenCalled();

    const stop = attention.listenForFirstGesture(document);
    document.body.click();
    document.body.click();
    await vi.runAllTimersAsync();
    expect(FakeNotification.requestPermission).toHaveBeenCalledOnce();
    expect(attention.permission).toBe('granted');
    stop();
    attention.onCustomerMessage(message('b', { chat_id: 2 }));
    expect(shown).toHaveLength(1);
  });

  it('asks when the agent turns notifications on, and keeps a refusal', async () => {
    const { FakeNotification } = fakeNotifications('default', 'denied');
    const attention = useAttentionStore();
    attention.set('notify', false);
    expect(FakeNotification.requestPermission).not.toHaveBeenCalled();
    attention.set('notify', true);
    await vi.runAllTimersAsync();
    expect(FakeNotification.requestPermission).toHaveBeenCalledOnce();
    expect(attention.permission).toBe('denied');
    attention.set('notify', true);
    expect(FakeNotification.requestPermission).toHaveBeenCalledOnce();
  });

  it('wakes the audio on the first gesture, and copes without WebAudio or notifications', () => {
    const { FakeContext } = fakeAudio();
    const attention = useAttentionStore();
    attention.listenForFirstGesture(document);
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'a' }));
    expect(FakeContext.made).toBe(1);

    vi.stubGlobal('AudioContext', undefined);
    vi.stubGlobal('Notification', undefined);
    setActivePinia(createPinia());
    const bare = useAttentionStore();
    expect(bare.permission).toBe('unsupported');
    hidden(true);
    expect(() => bare.onCustomerMessage(message('z', { chat_id: 1 }))).not.toThrow();
  });
});
