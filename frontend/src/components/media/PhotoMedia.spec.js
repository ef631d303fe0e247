import { DOMWrapper, enableAutoUnmount, flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import PhotoMedia from './PhotoMedia.vue';
import { storedFixture } from '../../test/telegramFixtures.js';

enableAutoUnmount(afterEach);

const photo = (overrides = {}) => ({ ...storedFixture('photo').media, ...overrides });
// The lightbox is teleported to <body>.
const lightboxPart = (selector) => new DOMWrapper(document.body.querySelector(selector));
const mountPhoto = (media) => mount(PhotoMedia, { props: { media }, attachTo: document.body });

describe('PhotoMedia', () => {
  it('shows the largest size as a thumbnail with the photo\'s shape', () => {
    const img = mountPhoto(photo()).get('[data-testid="media-photo"]');
    expect(img.attributes('src')).toMatch(/^\/api\/.+\/media$/);
    expect(img.attributes('alt')).toBe('Photo');
    expect(img.attributes('style')).toContain('aspect-ratio: 1280 / 960');
  });

  it('opens large on click, and closes with the close button or Escape, focus given back', async () => {
    const wrapper = mountPhoto(photo());
    const opener = wrapper.get('button');
    opener.element.focus();
    await opener.trigger('click');
    await flushPromises();
    const lightbox = lightboxPart('[data-testid="lightbox"]');
    expect(lightbox.attributes()).toMatchObject({ role: 'dialog', 'aria-modal': 'true' });
    expect(lightbox.get('img').attributes('src')).toBe(photo().url);
    expect(document.activeElement).toBe(lightboxPart('[data-testid="lightbox-close"]').element);
    await lightboxPart('[data-testid="lightbox-close"]').trigger('click');
    expect(document.body.querySelector('[data-testid="lightbox"]')).toBeNull();
    expect(document.activeElement).toBe(opener.element);

    await opener.trigger('click');
    await lightboxPart('[data-testid="lightbox"]').trigger('keydown', { key: 'Escape' });
    expect(document.body.querySelector('[data-testid="lightbox"]')).toBeNull();
  });

  it('keeps Tab inside the open photo', async () => {
    const wrapper = mountPhoto(photo());
    await wrapper.get('button').trigger('click');
    await flushPromises();
    const close = lightboxPart('[data-testid="lightbox-close"]');
    const original = lightboxPart('[data-testid="lightbox"] a');
    await close.trigger('keydown', { key: 'Tab' });
    expect(document.activeElement).toBe(original.element);
    await original.trigger('keydown', { key: 'Tab' });
    expect(document.activeElement).toBe(close.element);
  });

  it('says a photo over 20 MB is too large to download, without trying', () => {
    const wrapper = mountPhoto(photo({ file_size: 21 * 1024 * 1024 }));
    expect(wrapper.find('img').exists()).toBe(false);
    expect(wrapper.get('[data-testid="media-too-large"]').text()).toContain('Photo: too large to download');
  });

  it('says when the photo could not load', async () => {
    const wrapper = mountPhoto(photo());
    await wrapper.get('[data-testid="media-photo"]').trigger('error');
    expect(wrapper.find('img').exists()).toBe(false);
    expect(wrapper.get('[data-testid="media-failed"]').text()).toBe('Photo: could not load');
  });

  it('shows the agent\'s local preview of an upload, but no other kind of URL', () => {
    expect(mountPhoto({ kind: 'photo', local_url: 'blob:http://x/1' }).get('img').attributes('src')).toBe('blob:http://x/1');
    const foreign = mountPhoto({ kind: 'photo', local_url: 'javascript:alert(1)', url: '//evil.example/x' });
    expect(foreign.find('img').exists()).toBe(false);
    expect(foreign.find('[data-testid="media-uploading"]').exists()).toBe(true);
  });

  it('tries again when the URL changes (an upload\'s preview replaced by the relay\'s file)', async () => {
    const wrapper = mountPhoto({ kind: 'photo', local_url: 'blob:http://x/gone' });
    await wrapper.get('[data-testid="media-photo"]').trigger('error');
    expect(wrapper.find('[data-testid="media-failed"]').exists()).toBe(true);
    await wrapper.setProps({ media: photo() });
    expect(wrapper.find('[data-testid="media-failed"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="media-photo"]').attributes('src')).toBe(photo().url);
  });
});
