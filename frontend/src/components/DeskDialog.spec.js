import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { h } from 'vue';
import DeskDialog from './DeskDialog.vue';

function dialog() {
  const opener = document.createElement('button');
  document.body.append(opener);
  opener.focus();
  const wrapper = mount(DeskDialog, {
    props: { title: 'Team', testid: 'admin-page', closeTestid: 'admin-close' },
    slots: { default: () => [h('input', { name: 'a' }), h('button', { class: 'last' }, 'Go')] },
    attachTo: document.body,
  });
  return { wrapper, opener };
}

describe('DeskDialog', () => {
  it('is a titled modal dialog that takes the focus and gives it back', async () => {
    const { wrapper, opener } = dialog();
    await wrapper.vm.$nextTick();
    const card = wrapper.get('[data-testid="admin-page"]');
    expect(card.attributes('aria-modal')).toBe('true');
    expect(document.getElementById(card.attributes('aria-labelledby')).textContent).toBe('Team');
    expect(document.activeElement).toBe(wrapper.get('[data-testid="admin-close"]').element);
    wrapper.unmount();
    expect(document.activeElement).toBe(opener);
    opener.remove();
  });

  it('keeps Tab inside', async () => {
    const { wrapper, opener } = dialog();
    await wrapper.vm.$nextTick();
    const last = wrapper.get('.last');
    last.element.focus();
    await last.trigger('keydown', { key: 'Tab' });
    expect(document.activeElement).toBe(wrapper.get('[data-testid="admin-close"]').element);
    await wrapper.get('[data-testid="admin-close"]').trigger('keydown', { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(last.element);
    wrapper.unmount();
    opener.remove();
  });

  it('closes from its button and from the backdrop, not from a click inside', async () => {
    const { wrapper, opener } = dialog();
    await wrapper.get('[data-testid="admin-page"]').trigger('click');
    expect(wrapper.emitted('close')).toBeUndefined();
    await wrapper.get('.dialog').trigger('click');
    await wrapper.get('[data-testid="admin-close"]').trigger('click');
    expect(wrapper.emitted('close')).toHaveLength(2);
    wrapper.unmount();
    opener.remove();
  });
});
