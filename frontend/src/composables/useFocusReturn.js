import { nextTick, onBeforeUnmount, onMounted } from 'vue';

const FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** The elements of `root` that Tab stops at, in order. */
export function focusables(root) {
  return root ? [...root.querySelectorAll(FOCUSABLE)] : [];
}

/**
 * A panel that opens takes the focus (its first control, so keyboard users land in it) and,
 * when it closes, gives it back to whatever had it, e.g. the button that opened it.
 */
export function useFocusReturn(rootRef) {
  let before = null;
  onMounted(async () => {
    before = document.activeElement;
    await nextTick();
    focusables(rootRef.value)[0]?.focus();
  });
  onBeforeUnmount(() => {
    // Only when the focus is still ours (inside, or lost with us): a click elsewhere keeps its own.
    const focus = document.activeElement;
    const ours = !focus || focus === document.body || rootRef.value?.contains(focus);
    if (ours && before?.isConnected) before.focus();
  });
}
