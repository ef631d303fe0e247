import { DOMWrapper, enableAutoUnmount, flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import Lightbox from './Lightbox.vue';

enableAutoUnmount(afterEach);

// The lightbox is teleported to <body>, so it is looked up there, not inside the wrapper.
const inBody = (selector) => new DOMWrapper(document.body.querySelector(selector));
const open = (props) => mount(Lightbox, { props: { src: '/api/x/media', alt: 'Photo', ...props }, attachTo: document.body });

describe('Lightbox', () => {
  it('closes on the backdrop but not on its bar', async () => {
    const wrapper = open({ download: '/api/x/media' });
    await inBody('.lightbox__bar').trigger('click');
    expect(wrapper.emitted('close')).toBeUndefined();
    await inBody('[data-testid="lightbox"]').trigger('click');
    expect(wrapper.emitted('close')).toHaveLength(1);
  });

  it('links the original in a new tab, safely', () => {
    open({ src: 'blob:x', download: '/api/x/media' });
    expect(inBody('[data-testid="lightbox"] a').attributes()).toMatchObject({ href: '/api/x/media', target: '_blank', rel: 'noopener noreferrer' });
  });

  it('has no link without a relay URL to open', () => {
    open({ src: 'blob:x' });
    expect(document.body.querySelector('[data-testid="lightbox"] a')).toBeNull();
  });

  it('is drawn at the end of <body>, outside the live message log it was opened from', async () => {
    const log = document.createElement('div');
    log.setAttribute('role', 'log');
    log.setAttribute('aria-live', 'polite');
    document.body.append(log);
    mount(Lightbox, { props: { src: '/api/x/media' }, attachTo: log });
    const lightbox = document.body.querySelector('[data-testid="lightbox"]');
    expect(lightbox.parentElement).toBe(document.body);
    expect(lightbox.closest('[aria-live]')).toBeNull();
    log.remove();
  });

  it('takes the focus on its close button and gives it back when it closes', async () => {
    const opener = document.createElement('button');
    document.body.append(opener);
    opener.focus();
    const wrapper = open({ download: '/api/x/media' });
    await flushPromises();
    expect(document.activeElement).toBe(inBody('[data-testid="lightbox-close"]').element);
    wrapper.unmount();
    expect(document.activeElement).toBe(opener);
    opener.remove();
  });

  it('keeps Tab and Shift+Tab inside, and Escape closes without reaching the shell', async () => {
    const wrapper = open({ download: '/api/x/media' });
    await flushPromises();
    const close = inBody('[data-testid="lightbox-close"]');
    const original = inBody('[data-testid="lightbox"] a');
    await close.trigger('keydown', { key: 'Tab' });
    expect(document.activeElement).toBe(original.element);
    await original.trigger('keydown', { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(close.element);
    let reached = false;
    const shell = () => { reached = true; };
    document.addEventListener('keydown', shell);
    await close.trigger('keydown', { key: 'Escape' });
    document.removeEventListener('keydown', shell);
    expect(wrapper.emitted('close')).toHaveLength(1);
    expect(reached).toBe(false);
  });
});
