import { onBeforeUnmount, onMounted, toValue } from 'vue';

/**
 * The chat `step` places away from `current` in `ids` (the list as shown). With none open,
 * down starts at the top and up at the bottom; the ends do not wrap, as in Telegram.
 */
export function neighbour(ids, current, step) {
  if (!ids.length) return null;
  const at = ids.indexOf(current);
  if (at < 0) return step > 0 ? ids[0] : ids[ids.length - 1];
  const next = Math.min(Math.max(at + step, 0), ids.length - 1);
  return next === at ? null : ids[next];
}

const MOVES = { ArrowUp: -1, ArrowDown: 1 };

/**
 * The chat list's keys, anywhere on the page: Ctrl/Cmd+K focuses the search box, Alt+Up and
 * Alt+Down open the previous and next chat of the visible list. `ids` and `activeId` are
 * refs or getters; listens on `target` while the calling component is mounted.
 */
export function useChatNavigation({ ids, activeId, open, focusSearch, target = globalThis.window }) {
  function onKeydown(event) {
    if (event.defaultPrevented || event.isComposing) return;
    const command = event.ctrlKey || event.metaKey;
    if (command && !event.altKey && !event.shiftKey && event.key?.toLowerCase() === 'k') {
      event.preventDefault();
      focusSearch();
      return;
    }
    if (!event.altKey || command || event.shiftKey || !(event.key in MOVES)) return;
    event.preventDefault();
    const next = neighbour(toValue(ids), toValue(activeId), MOVES[event.key]);
    if (next != null) open(next);
  }

  onMounted(() => target?.addEventListener('keydown', onKeydown));
  onBeforeUnmount(() => target?.removeEventListener('keydown', onKeydown));
  return { onKeydown };
}
