import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import StickerMedia from './StickerMedia.vue';
import { storedFixture } from '../../test/telegramFixtures.js';

const sticker = (overrides) => mount(StickerMedia, { props: { media: { ...storedFixture('sticker').media, ...overrides } } })
  .get('[data-testid="media-sticker"]');

describe('StickerMedia', () => {
  it('shows a still sticker as an image', () => {
    expect(sticker({ is_animated: false }).get('img').attributes()).toMatchObject({ alt: 'Sticker 😢' });
  });

  it('loops a video sticker', () => {
    expect(sticker({ is_animated: false, is_video: true }).get('video').attributes()).toHaveProperty('loop');
  });

  it('shows an animated (Lottie) sticker as its emoji', () => {
    const root = sticker({});
    expect(root.find('img').exists()).toBe(false);
    expect(root.get('[role="img"]').text()).toBe('😢');
  });

  it('falls back to the emoji when the image fails', async () => {
    const root = sticker({ is_animated: false });
    await root.get('img').trigger('error');
    expect(root.get('[role="img"]').text()).toBe('😢');
  });
});
