import { nextTick, onBeforeUnmount, onMounted } from 'vue';

const FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** The elements of `root` that Tab stops at, in order. */
export function focusables(root) {
  return root ? [...root.querySelectorAll(FOCUSABLE)] : [];
}

/**
 * Keep Tab (and Shift+Tab) cycling within `root`, as a modal should: from the last stop to the
 * first and back, and into the panel if the focus had left it. Call it from a keydown handler.
 */
export function trapTab(root, event) {
  if (event.key !== 'Tab') return;
  const stops = focusables(root);
  event.preventDefault();
  if (!stops.length) return;
  const at = stops.indexOf(document.activeElement);
  const step = event.shiftKey ? -1 : 1;
  const next = at < 0 ? (event.shiftKey ? stops.length - 1 : 0) : (at + step + stops.length) % stops.length;
  stops[next].focus();
}

/**
 * A panel that opens takes the focus (the control marked `data-autofocus`, else its first one, so
 * keyboard users land in it) and, when it closes, gives it back to whatever had it, e.g. the
 * button that opened it.
 */
export function useFocusReturn(rootRef) {
  let before = null;
  onMounted(async () => {
    before = document.activeElement;
    await nextTick();
    const root = rootRef.value;
    (root?.querySelector('[data-autofocus]') ?? focusables(root)[0])?.focus();
  });
  onBeforeUnmount(() => {
    // Only when the focus is still ours (inside, or lost with us): a click elsewhere keeps its own.
    const focus = document.activeElement;
    const ours = !focus || focus === document.body || rootRef.value?.contains(focus);
    if (ours && before?.isConnected) before.focus();
  });
}
