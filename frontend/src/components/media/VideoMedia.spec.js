import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import VideoMedia from './VideoMedia.vue';
import { storedFixture } from '../../test/telegramFixtures.js';

const mountVideo = (name) => mount(VideoMedia, { props: { media: storedFixture(name).media } });

describe('VideoMedia', () => {
  it('plays a video with controls', () => {
    const video = mountVideo('video').get('[data-testid="media-video"] video');
    expect(video.attributes('src')).toMatch(/^\/api\//);
    expect(video.attributes()).toHaveProperty('controls');
    expect(video.attributes()).not.toHaveProperty('loop');
  });

  it('draws a video message round', () => {
    const root = mountVideo('video_note').get('[data-testid="media-video-note"]');
    expect(root.classes()).toContain('video--video_note');
    expect(root.text()).toContain('0:09');
  });

  it('loops a GIF silently on its own, as Telegram does', () => {
    const video = mountVideo('animation').get('[data-testid="media-animation"] video');
    expect(video.attributes()).toHaveProperty('loop');
    expect(video.attributes()).toHaveProperty('autoplay');
    expect(video.element.muted).toBe(true);
  });

  it('says when it could not load, and still offers the file (a codec this browser lacks)', async () => {
    const wrapper = mountVideo('video');
    const src = wrapper.get('video').attributes('src');
    await wrapper.get('video').trigger('error');
    expect(wrapper.get('[data-testid="media-failed"]').text()).toContain('Video: could not load');
    const download = wrapper.get('[data-testid="media-download"]');
    expect(download.attributes('href')).toBe(src);
    expect(download.attributes()).toHaveProperty('download');
  });

  it('tries again when the URL changes (an upload\'s preview replaced by the relay\'s file)', async () => {
    const stored = storedFixture('video').media;
    const wrapper = mount(VideoMedia, { props: { media: { ...stored, url: null, local_url: 'blob:http://x/gone' } } });
    await wrapper.get('video').trigger('error');
    expect(wrapper.find('[data-testid="media-failed"]').exists()).toBe(true);
    await wrapper.setProps({ media: stored });
    expect(wrapper.find('[data-testid="media-failed"]').exists()).toBe(false);
    expect(wrapper.get('video').attributes('src')).toBe(stored.url);
  });
});
