import { enableAutoUnmount, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defineComponent, h, ref } from 'vue';
import { neighbour, useChatNavigation } from './useChatNavigation.js';

enableAutoUnmount(afterEach);

function install() {
  const ids = ref([5, 3, 9]);
  const activeId = ref(null);
  const open = vi.fn((id) => { activeId.value = id; });
  const focusSearch = vi.fn();
  const Host = defineComponent({
    setup() {
      useChatNavigation({ ids, activeId, open, focusSearch });
      return () => h('div');
    },
  });
  const wrapper = mount(Host);
  return { wrapper, ids, activeId, open, focusSearch };
}

const press = (key, modifiers = {}) => {
  const event = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...modifiers });
  window.dispatchEvent(event);
  return event;
};

describe('chat navigation keys', () => {
  it('finds the neighbour in the visible order, without wrapping', () => {
    expect(neighbour([5, 3, 9], 3, 1)).toBe(9);
    expect(neighbour([5, 3, 9], 3, -1)).toBe(5);
    expect(neighbour([5, 3, 9], 9, 1)).toBeNull();
    expect(neighbour([5, 3, 9], 5, -1)).toBeNull();
    expect(neighbour([5, 3, 9], null, 1)).toBe(5);
    expect(neighbour([5, 3, 9], 42, -1)).toBe(9);
    expect(neighbour([], null, 1)).toBeNull();
  });

  it('Ctrl+K and Cmd+K focus the search box', () => {
    const { focusSearch } = install();
    expect(press('k', { ctrlKey: true }).defaultPrevented).toBe(true);
    press('K', { metaKey: true });
    expect(focusSearch).toHaveBeenCalledTimes(2);
    press('k');
    press('k', { ctrlKey: true, shiftKey: true });
    expect(focusSearch).toHaveBeenCalledTimes(2);
  });

  it('Alt+Down and Alt+Up open the next and previous chat of the list', () => {
    const { open, activeId, ids } = install();
    press('ArrowDown', { altKey: true });
    expect(activeId.value).toBe(5);
    press('ArrowDown', { altKey: true });
    expect(activeId.value).toBe(3);
    ids.value = [3, 5, 9]; // the list reordered: moves follow what is shown now
    press('ArrowDown', { altKey: true });
    expect(activeId.value).toBe(5);
    press('ArrowUp', { altKey: true });
    expect(activeId.value).toBe(3);
    press('ArrowUp', { altKey: true });
    expect(open).toHaveBeenCalledTimes(4);
    press('ArrowDown');
    press('ArrowDown', { altKey: true, ctrlKey: true });
    expect(open).toHaveBeenCalledTimes(4);
  });

  it('stops listening when the list goes away', () => {
    const { wrapper, focusSearch } = install();
    wrapper.unmount();
    press('k', { ctrlKey: true });
    expect(focusSearch).not.toHaveBeenCalled();
  });
});
