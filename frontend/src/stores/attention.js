import { defineStore } from 'pinia';
import { ref } from 'vue';
import { displayName } from '../composables/useCustomer.js';
import { i18n } from '../i18n/index.js';
import { previewOf } from '../utils/preview.js';
import { useConversationsStore } from './conversations.js';
import { useSessionStore } from './session.js';

const STORAGE_KEY = 'teledesk.attention';
export const DEFAULT_PREFERENCES = Object.freeze({ sound: true, title: true, notify: true });
export const BEEP_GAP_MS = 1500; // a burst of messages makes one sound, not a rattle
const REMEMBERED = 500; // message ids kept to announce each message once
const GESTURES = ['click', 'keydown'];

function loadPreferences() {
  try {
    const saved = JSON.parse(globalThis.localStorage?.getItem(STORAGE_KEY) ?? '{}');
    return Object.fromEntries(Object.entries(DEFAULT_PREFERENCES)
      .map(([key, fallback]) => [key, typeof saved?.[key] === 'boolean' ? saved[key] : fallback]));
  } catch {
    return { ...DEFAULT_PREFERENCES };
  }
}

const notifications = () => globalThis.Notification ?? null;
const pageHidden = () => Boolean(globalThis.document?.hidden);

/** A message worth announcing: a customer's new one, not an edit, a reaction or a delete. */
const isFresh = (message) => message?.type === 'CLIENT' && message.direction === 'in'
  && !message.edited && !message.deleted && !Number(message.revision);

/**
 * How the console calls the agent when a customer writes: a short sound, the unread count in
 * the tab title (see useTabTitle) and a desktop notification while the console is hidden.
 * Each can be turned off; the choice is kept in this browser.
 */
export const useAttentionStore = defineStore('attention', () => {
  const prefs = ref(loadPreferences());
  const permission = ref(notifications()?.permission ?? 'unsupported');
  const announced = new Set();
  const shown = new Set(); // the desktop notifications on screen, closed when the session ends
  let audio = null;
  let lastBeep = -Infinity;

  function set(key, value) {
    if (!(key in DEFAULT_PREFERENCES)) return;
    prefs.value = { ...prefs.value, [key]: Boolean(value) };
    try {
      globalThis.localStorage?.setItem(STORAGE_KEY, JSON.stringify(prefs.value));
    } catch {
      // private mode: the choice lasts for this page only
    }
    if (key === 'notify' && value) requestPermission();
  }

  /** Browsers only ask the agent on a user gesture: call this from one. */
  async function requestPermission() {
    const api = notifications();
    if (!api) return;
    permission.value = api.permission;
    if (api.permission !== 'default') return;
    try {
      permission.value = await api.requestPermission();
    } catch {
      permission.value = api.permission;
    }
  }

  function audioContext() {
    const Context = globalThis.AudioContext ?? globalThis.webkitAudioContext;
    if (!audio && Context) {
      try {
        audio = new Context();
      } catch {
        return null;
      }
    }
    return audio;
  }

  /** Two short rising tones, made here: no sound file to download. */
  function beep() {
    const now = Date.now();
    if (now - lastBeep < BEEP_GAP_MS) return;
    const context = audioContext();
    if (!context) return;
    lastBeep = now;
    try {
      context.resume?.();
      const start = context.currentTime;
      const tone = context.createOscillator();
      const volume = context.createGain();
      tone.type = 'sine';
      tone.frequency.setValueAtTime(880, start);
      tone.frequency.setValueAtTime(1320, start + 0.09);
      volume.gain.setValueAtTime(0.0001, start);
      volume.gain.exponentialRampToValueAtTime(0.18, start + 0.015);
      volume.gain.exponentialRampToValueAtTime(0.0001, start + 0.26);
      tone.connect(volume);
      volume.connect(context.destination);
      tone.start(start);
      tone.stop(start + 0.27);
    } catch {
      // no audio output: the title and the badge still tell
    }
  }

  function notify(message, conversation) {
    const api = notifications();
    if (!api || api.permission !== 'granted') return;
    const { t, te } = i18n.global;
    const customer = conversation?.customer ?? message.customer;
    const body = previewOf({ ...message, media_kind: message.media?.kind }, { t, te }).text;
    try {
      const note = new api(displayName(customer, message.chat_id, t), { body, tag: `teledesk-chat-${message.chat_id}` });
      shown.add(note);
      note.onclose = () => shown.delete(note);
      note.onclick = () => {
        shown.delete(note);
        note.close?.();
        if (!useSessionStore().isAuthenticated) return; // from a session that has ended
        globalThis.focus?.();
        useConversationsStore().open(message.chat_id);
      };
    } catch {
      // some browsers only notify from a service worker: the sound and the title remain
    }
  }

  function remember(message) {
    const key = `${message.chat_id}:${message.id}`;
    if (announced.has(key)) return false;
    announced.add(key);
    if (announced.size > REMEMBERED) announced.delete(announced.values().next().value);
    return true;
  }

  /**
   * A customer's message arrived (the socket's `message` event). Nothing for the chat the
   * agent is looking at; the sound otherwise; a notification too while the console is hidden.
   */
  function onCustomerMessage(message, conversation = null) {
    if (!isFresh(message) || !remember(message)) return;
    const hidden = pageHidden();
    if (!hidden && message.chat_id === useConversationsStore().activeChatId) return;
    if (prefs.value.sound) beep();
    if (prefs.value.notify && hidden) notify(message, conversation);
  }

  /**
   * Until the agent first clicks or types, browsers keep audio muted and refuse to ask about
   * notifications: on that first gesture, wake the audio and ask (if notifications are on).
   * Returns a function that stops waiting.
   */
  function listenForFirstGesture(target = globalThis.document) {
    const stop = () => GESTURES.forEach((name) => target?.removeEventListener(name, first, true));
    function first() {
      stop();
      if (prefs.value.sound) audioContext()?.resume?.();
      if (prefs.value.notify) requestPermission();
    }
    GESTURES.forEach((name) => target?.addEventListener(name, first, true));
    return stop;
  }

  /** The session ended: close its notifications and forget which messages were announced. */
  function reset() {
    shown.forEach((note) => note.close?.());
    shown.clear();
    announced.clear();
  }

  return { prefs, permission, set, requestPermission, onCustomerMessage, listenForFirstGesture, reset };
});
