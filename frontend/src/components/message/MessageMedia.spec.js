import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import MessageMedia from './MessageMedia.vue';

describe('MessageMedia', () => {
  it('offers a file of a kind it does not know for download', () => {
    const wrapper = mount(MessageMedia, { props: { media: { kind: 'paid_media', file_id: 'f', url: '/api/x/media' } } });
    expect(wrapper.get('[data-testid="media-document"]').attributes('href')).toBe('/api/x/media');
  });

  it('names a kind it does not know, without a file', () => {
    expect(mount(MessageMedia, { props: { media: { kind: 'hologram' } } }).text()).toBe('Attachment');
  });
});
