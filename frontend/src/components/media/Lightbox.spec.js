import { enableAutoUnmount, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import Lightbox from './Lightbox.vue';

enableAutoUnmount(afterEach);

describe('Lightbox', () => {
  it('closes on the backdrop but not on its bar', async () => {
    const wrapper = mount(Lightbox, { props: { src: '/api/x/media', alt: 'Photo', download: '/api/x/media' }, attachTo: document.body });
    await wrapper.get('.lightbox__bar').trigger('click');
    expect(wrapper.emitted('close')).toBeUndefined();
    await wrapper.get('[data-testid="lightbox"]').trigger('click');
    expect(wrapper.emitted('close')).toHaveLength(1);
  });

  it('links the original in a new tab, safely', () => {
    const wrapper = mount(Lightbox, { props: { src: 'blob:x', alt: 'Photo', download: '/api/x/media' } });
    expect(wrapper.get('a').attributes()).toMatchObject({ href: '/api/x/media', target: '_blank', rel: 'noopener noreferrer' });
    expect(mount(Lightbox, { props: { src: 'blob:x' } }).find('a').exists()).toBe(false);
  });
});
