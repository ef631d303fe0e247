import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import Composer from './Composer.vue';

const parts = (wrapper) => ({
  input: wrapper.get('textarea[data-testid="composer-input"]'),
  button: wrapper.get('[data-testid="composer-send"]'),
});

describe('Composer', () => {
  it('sends on Enter and empties itself', async () => {
    const wrapper = mount(Composer);
    const { input } = parts(wrapper);
    await input.setValue('  Hello there ');
    await input.trigger('keydown', { key: 'Enter' });
    expect(wrapper.emitted('send')).toEqual([['Hello there']]);
    expect(input.element.value).toBe('');
  });

  it('keeps Shift+Enter for a new line', async () => {
    const wrapper = mount(Composer);
    const { input } = parts(wrapper);
    await input.setValue('line one');
    const event = new KeyboardEvent('keydown', { key: 'Enter', shiftKey: true, cancelable: true });
    input.element.dispatchEvent(event);
    expect(event.defaultPrevented).toBe(false);
    expect(wrapper.emitted('send')).toBeUndefined();
  });

  it('does not send while an IME is composing', async () => {
    const wrapper = mount(Composer);
    const { input } = parts(wrapper);
    await input.setValue('にほん');
    await input.trigger('keydown', { key: 'Enter', isComposing: true });
    expect(wrapper.emitted('send')).toBeUndefined();
  });

  it('sends multi-line text with the button, and never blank text', async () => {
    const wrapper = mount(Composer);
    const { input, button } = parts(wrapper);
    expect(button.attributes('disabled')).toBeDefined();
    await input.setValue('   \n ');
    await input.trigger('keydown', { key: 'Enter' });
    expect(wrapper.emitted('send')).toBeUndefined();
    await input.setValue('one\ntwo');
    expect(button.attributes('disabled')).toBeUndefined();
    await wrapper.get('form').trigger('submit');
    expect(wrapper.emitted('send')).toEqual([['one\ntwo']]);
  });
});
