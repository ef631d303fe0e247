import { enableAutoUnmount, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import EmojiPicker from './EmojiPicker.vue';

enableAutoUnmount(afterEach);

const picker = () => mount(EmojiPicker, { attachTo: document.body });
const options = (wrapper) => wrapper.findAll('[data-testid="emoji-option"]');

describe('EmojiPicker', () => {
  it('offers built-in emoji as labelled buttons and emits the one chosen', async () => {
    const wrapper = picker();
    const first = options(wrapper)[0];
    expect(first.element.tagName).toBe('BUTTON');
    expect(first.attributes('aria-label')).toBe(first.text());
    await first.trigger('click');
    expect(wrapper.emitted('select')).toEqual([[first.text()]]);
  });

  it('switches category', async () => {
    const wrapper = picker();
    const before = options(wrapper).map((o) => o.text());
    const tabs = wrapper.findAll('.emoji-picker__tab');
    expect(tabs.length).toBeGreaterThan(2);
    await tabs[1].trigger('click');
    expect(tabs[1].attributes('aria-pressed')).toBe('true');
    expect(options(wrapper).map((o) => o.text())).not.toEqual(before);
  });

  it('is keyboard reachable: focus on open, arrows move, Esc closes', async () => {
    const wrapper = picker();
    const all = options(wrapper);
    expect(document.activeElement).toBe(all[0].element);
    await all[0].trigger('keydown', { key: 'ArrowRight' });
    expect(document.activeElement).toBe(all[1].element);
    await all[1].trigger('keydown', { key: 'ArrowDown' });
    expect(document.activeElement).toBe(all[9].element);
    await all[9].trigger('keydown', { key: 'End' });
    expect(document.activeElement).toBe(all.at(-1).element);
    await all.at(-1).trigger('keydown', { key: 'Escape' });
    expect(wrapper.emitted('close')).toHaveLength(1);
  });
});
