import { mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { defineComponent, h, ref } from 'vue';
import { useDropZone } from './useDropZone.js';

/** A drag event as the browser sends it; jsdom has no DragEvent or DataTransfer. */
function drag(type, { files = [], types = files.length ? ['Files'] : ['text/plain'] } = {}) {
  const event = new Event(type, { bubbles: true, cancelable: true });
  event.dataTransfer = { types, files, dropEffect: 'none' };
  return event;
}

function zone(onFiles) {
  let state;
  const wrapper = mount(defineComponent({
    setup() {
      const el = ref(null);
      state = useDropZone(el, onFiles);
      return () => h('div', { ref: el, class: 'zone' }, [h('p', { class: 'child' }, 'inside')]);
    },
  }), { attachTo: document.body });
  return { wrapper, state, zoneEl: wrapper.get('.zone').element, child: wrapper.get('.child').element };
}

describe('useDropZone', () => {
  it('is over while files hover, through nested elements, and hands them over on drop', () => {
    const onFiles = vi.fn();
    const { wrapper, state, zoneEl, child } = zone(onFiles);
    const file = new File(['x'], 'a.txt');
    zoneEl.dispatchEvent(drag('dragenter', { files: [file] }));
    child.dispatchEvent(drag('dragenter', { files: [file] }));
    zoneEl.dispatchEvent(drag('dragleave', { files: [file] }));
    expect(state.over.value).toBe(true);
    const over = drag('dragover', { files: [file] });
    child.dispatchEvent(over);
    expect(over.defaultPrevented).toBe(true);
    expect(over.dataTransfer.dropEffect).toBe('copy');
    const drop = drag('drop', { files: [file] });
    child.dispatchEvent(drop);
    expect(drop.defaultPrevented).toBe(true);
    expect(onFiles).toHaveBeenCalledWith([file]);
    expect(state.over.value).toBe(false);
    wrapper.unmount();
  });

  it('is off once the drag leaves', () => {
    const { wrapper, state, zoneEl } = zone(vi.fn());
    const file = new File(['x'], 'a.txt');
    zoneEl.dispatchEvent(drag('dragenter', { files: [file] }));
    zoneEl.dispatchEvent(drag('dragleave', { files: [file] }));
    expect(state.over.value).toBe(false);
    wrapper.unmount();
  });

  it('leaves drags of text alone, and stops listening when unmounted', () => {
    const onFiles = vi.fn();
    const { wrapper, state, zoneEl } = zone(onFiles);
    const text = drag('dragenter');
    zoneEl.dispatchEvent(text);
    expect(text.defaultPrevented).toBe(false);
    expect(state.over.value).toBe(false);
    wrapper.unmount();
    zoneEl.dispatchEvent(drag('drop', { files: [new File(['x'], 'late.txt')] }));
    expect(onFiles).not.toHaveBeenCalled();
  });
});
