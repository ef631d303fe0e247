import { defineStore } from 'pinia';
import { ref } from 'vue';
import * as desk from '../api/desk.js';
import { createSessionGuard } from './sessionGuard.js';

const MAX_SUGGESTIONS = 8;

const byShortcut = (a, b) => a.shortcut.localeCompare(b.shortcut);

/** The shortcut as the relay stores it: trimmed, without a leading "/", lower-cased. */
export const normaliseShortcut = (shortcut) => String(shortcut ?? '').trim().replace(/^\//, '').toLowerCase();

/**
 * The team's canned responses ("/shortcut" → text). Loaded once per session, lazily: the first
 * time the composer or the manager needs them, not on every keystroke.
 */
export const useCannedStore = defineStore('canned', () => {
  const items = ref([]);
  const loaded = ref(false);
  const loadError = ref(null);
  let loading = null;
  const session = createSessionGuard(); // a list that arrives after reset() belongs to the session that ended

  /** Load the list unless it is loaded or loading; concurrent callers share one request. */
  function ensureLoaded() {
    if (loaded.value) return Promise.resolve();
    if (!loading) {
      const live = session.current();
      loading = desk.listCanned()
        .then(({ canned }) => {
          if (!live()) return;
          items.value = [...canned].sort(byShortcut);
          loaded.value = true;
          loadError.value = null;
        })
        .catch((error) => {
          if (live()) loadError.value = error;
        })
        .finally(() => {
          if (live()) loading = null;
        });
    }
    return loading;
  }

  function put(entry) {
    items.value = [...items.value.filter((held) => held.id !== entry.id), entry].sort(byShortcut);
  }

  /** Add one; the relay's refusal (409 taken, 400 invalid) is thrown to the caller. */
  async function add(shortcut, text) {
    const { canned } = await desk.addCanned(normaliseShortcut(shortcut), text);
    put(canned);
    return canned;
  }

  async function update(id, shortcut, text) {
    const { canned } = await desk.updateCanned(id, normaliseShortcut(shortcut), text);
    put(canned);
    return canned;
  }

  async function remove(id) {
    await desk.deleteCanned(id);
    items.value = items.value.filter((held) => held.id !== id);
  }

  /**
   * What "/query" suggests: shortcuts starting with the query first, then responses whose
   * shortcut or text contains it elsewhere; a few at most.
   */
  function suggest(query) {
    const q = String(query ?? '').toLowerCase();
    const starts = items.value.filter((item) => item.shortcut.startsWith(q));
    const contains = q ? items.value.filter((item) => !item.shortcut.startsWith(q)
      && (item.shortcut.includes(q) || item.text.toLowerCase().includes(q))) : [];
    return [...starts, ...contains].slice(0, MAX_SUGGESTIONS);
  }

  function reset() {
    items.value = [];
    loaded.value = false;
    loadError.value = null;
    loading = null;
    session.end();
  }

  return { items, loaded, loadError, ensureLoaded, add, update, remove, suggest, reset };
});
