import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { message } from '../test/fixtures.js';
import ReplyPreview from './ReplyPreview.vue';

const preview = (msg, mode = 'reply') => mount(ReplyPreview, { props: { message: msg, mode } });

describe('ReplyPreview', () => {
  it('quotes the customer message replied to, as text', () => {
    const wrapper = preview(message('m1', { text: '<b>Where</b> is it?', customer: { id: 1, first_name: 'Ana' } }));
    expect(wrapper.text()).toContain('Reply to Ana');
    expect(wrapper.text()).toContain('<b>Where</b> is it?');
    expect(wrapper.find('b').exists()).toBe(false);
  });

  it('names the agent of an answer, and a file by its kind', () => {
    const wrapper = preview(message('a1', {
      type: 'AGENT', direction: 'out', text: '', media: { kind: 'photo' }, agent: { username: 'bo', name: 'Bo' },
    }));
    expect(wrapper.text()).toContain('Reply to Bo');
    expect(wrapper.text()).toContain('Photo');
  });

  it('says "Editing" in edit mode, and the × asks to cancel', async () => {
    const wrapper = preview(message('a1', { direction: 'out', text: 'Old' }), 'edit');
    expect(wrapper.get('[data-testid="reply-preview"]').attributes('data-mode')).toBe('edit');
    expect(wrapper.text()).toContain('Editing');
    const cancel = wrapper.get('[data-testid="reply-cancel"]');
    expect(cancel.attributes('aria-label')).toBe('Cancel editing');
    await cancel.trigger('click');
    expect(wrapper.emitted('cancel')).toHaveLength(1);
  });
});
