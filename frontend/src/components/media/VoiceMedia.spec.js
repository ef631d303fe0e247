import { mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import VoiceMedia from './VoiceMedia.vue';
import { storedFixture } from '../../test/telegramFixtures.js';

const mountVoice = (media) => mount(VoiceMedia, { props: { media } });

describe('VoiceMedia', () => {
  it('plays a voice note with a play button and shows its duration', async () => {
    const play = vi.spyOn(HTMLMediaElement.prototype, 'play').mockResolvedValue();
    const wrapper = mountVoice(storedFixture('voice').media);
    const root = wrapper.get('[data-testid="media-voice"]');
    expect(root.get('audio').attributes('src')).toMatch(/^\/api\//);
    expect(root.get('.voice__time').text()).toBe('0:07');
    const button = root.get('button');
    expect(button.attributes('aria-label')).toBe('Play');
    await button.trigger('click');
    expect(play).toHaveBeenCalled();
    await root.get('audio').trigger('play');
    expect(button.attributes('aria-label')).toBe('Pause');
  });

  it('pauses when playing', async () => {
    const pause = vi.spyOn(HTMLMediaElement.prototype, 'pause').mockImplementation(() => {});
    vi.spyOn(HTMLMediaElement.prototype, 'paused', 'get').mockReturnValue(false);
    const wrapper = mountVoice(storedFixture('voice').media);
    await wrapper.get('button').trigger('click');
    expect(pause).toHaveBeenCalled();
  });

  it('plays an audio file the same way, with its title and performer', () => {
    const root = mountVoice(storedFixture('audio').media).get('[data-testid="media-audio"]');
    expect(root.text()).toContain('Alex Morgan — Call with courier');
    expect(root.get('.voice__time').text()).toBe('0:42');
  });

  it('says when it could not load', async () => {
    const wrapper = mountVoice(storedFixture('voice').media);
    await wrapper.get('audio').trigger('error');
    expect(wrapper.get('[data-testid="media-failed"]').text()).toContain('Voice message: could not load');
    expect(wrapper.find('audio').exists()).toBe(false);
    expect(wrapper.get('[data-testid="media-download"]').attributes('href')).toMatch(/^\/api\/conversations\//);
  });
});
