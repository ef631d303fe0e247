import { onBeforeUnmount, ref, toValue, watch } from 'vue';

const carriesFiles = (event) => Array.from(event.dataTransfer?.types ?? []).includes('Files');

/**
 * Files dragged from the desktop onto `target` (an element, ref or getter): `over` is true while
 * they hover it (for a drop overlay) and `onFiles(files)` gets them on drop. Drags of text or of
 * the page's own elements are left alone. Nested elements fire enter/leave pairs, so a depth
 * count says when the drag really left.
 */
export function useDropZone(target, onFiles) {
  const over = ref(false);
  let depth = 0;

  const handlers = {
    dragenter(event) {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      depth += 1;
      over.value = true;
    },
    dragover(event) {
      if (!carriesFiles(event)) return;
      event.preventDefault(); // without it the browser opens the file instead of dropping it here
      if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
    },
    dragleave(event) {
      if (!carriesFiles(event)) return;
      depth = Math.max(0, depth - 1);
      if (!depth) over.value = false;
    },
    drop(event) {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      depth = 0;
      over.value = false;
      const files = Array.from(event.dataTransfer?.files ?? []);
      if (files.length) onFiles(files);
    },
  };

  const listen = (el, method) => {
    for (const [name, handler] of Object.entries(handlers)) el?.[method](name, handler);
  };

  const stop = watch(() => toValue(target), (el, previous) => {
    listen(previous, 'removeEventListener');
    listen(el, 'addEventListener');
    depth = 0;
    over.value = false;
  }, { immediate: true, flush: 'sync' }); // sync: listening from the moment the element exists

  onBeforeUnmount(() => {
    stop();
    listen(toValue(target), 'removeEventListener');
  });

  return { over };
}
