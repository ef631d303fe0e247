import { enableAutoUnmount, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defineComponent, h, nextTick, ref } from 'vue';
import { NOW as START, fakeClock } from '../test/lifecycle.js';
import { TICK_MS, useNow } from './useNow.js';

enableAutoUnmount(afterEach);

/** A component that reads the clock while `active` says so, and shows what it read. */
function reader(active = true) {
  let now;
  const wrapper = mount(defineComponent({
    setup() {
      now = useNow(active);
      return () => h('span', String(now.value));
    },
  }));
  return { wrapper, now: () => now.value, clock: () => now };
}

describe('useNow', () => {
  fakeClock();

  it('is the present in epoch seconds, and ticks every second', async () => {
    const { wrapper, now } = reader();
    expect(now()).toBe(START);
    vi.advanceTimersByTime(TICK_MS);
    expect(now()).toBe(START + 1);
    vi.advanceTimersByTime(3 * TICK_MS);
    await nextTick();
    expect(wrapper.text()).toBe(String(START + 4));
  });

  it('runs one interval for the whole page, however many read it', () => {
    const spy = vi.spyOn(globalThis, 'setInterval');
    const readers = [reader(), reader(), reader()];
    expect(spy).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(TICK_MS);
    expect(readers.map(({ now }) => now())).toEqual([START + 1, START + 1, START + 1]);
    spy.mockRestore();
  });

  it('stops when the last reader goes, and starts from the present when one comes back', () => {
    const first = reader();
    const second = reader();
    first.wrapper.unmount();
    expect(vi.getTimerCount()).toBe(1);
    second.wrapper.unmount();
    expect(vi.getTimerCount()).toBe(0);
    vi.setSystemTime((START + 60) * 1000);
    expect(reader().now()).toBe(START + 60);
    expect(vi.getTimerCount()).toBe(1);
  });

  it('holds the clock only while the reader is active', async () => {
    const active = ref(false);
    reader(active);
    expect(vi.getTimerCount()).toBe(0);
    active.value = true;
    await nextTick();
    expect(vi.getTimerCount()).toBe(1);
    active.value = false;
    await nextTick();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('cannot be set by a reader', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { now, clock } = reader();
    clock().value = 0;
    expect(now()).toBe(START);
    expect(warn).toHaveBeenCalled();
    warn.mockRestore();
  });
});
