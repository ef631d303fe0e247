import { mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { nextTick } from 'vue';
import { i18n } from '../i18n/index.js';
import AttachmentPreview from './AttachmentPreview.vue';
import { formatSize } from './media/mediaFiles.js';

const file = (name, type, size) => {
  const f = new File(['x'], name, { type });
  Object.defineProperty(f, 'size', { value: size });
  return f;
};

function preview(attachments, caption = '') {
  return mount(AttachmentPreview, { props: { attachments, caption } });
}

describe('AttachmentPreview', () => {
  it('shows each file with its name, size and, for images, a thumbnail', () => {
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL: vi.fn(() => 'blob:thumb'), revokeObjectURL: vi.fn() }));
    const wrapper = preview([
      { id: 'a', file: file('photo.jpg', 'image/jpeg', 1536 * 1024) },
      { id: 'b', file: file('notes.txt', 'text/plain', 800) },
    ]);
    expect(wrapper.get('[data-testid="attachment-preview"]').attributes('aria-label')).toBe('Send 2 files');
    const files = wrapper.findAll('[data-testid="attachment-file"]');
    expect(files[0].text()).toContain('photo.jpg');
    expect(files[0].text()).toMatch(/1\.5\s?MB/);
    expect(files[0].get('img').attributes('src')).toBe('blob:thumb');
    expect(files[1].text()).toMatch(/800\s?(B|byte)/);
    expect(files[1].find('img').exists()).toBe(false);
    wrapper.unmount();
    expect(URL.revokeObjectURL).toHaveBeenCalledWith('blob:thumb');
  });

  it('writes sizes as the messages do (mediaFiles formatSize), in the console\'s language', async () => {
    const big = 15.5 * 1024 * 1024; // "16 MB", as a document message reads, not "15.5 MB"
    const wrapper = preview([
      { id: 'a', file: file('film.mp4', 'video/mp4', big) },
      { id: 'b', file: file('photo.png', 'image/png', 1536 * 1024) },
    ]);
    const sizes = () => wrapper.findAll('.attachment-preview__size').map((size) => size.text());
    expect(sizes()).toEqual([formatSize(big, 'en'), formatSize(1536 * 1024, 'en')]);
    i18n.global.locale.value = 'es';
    await nextTick();
    expect(sizes()).toEqual([formatSize(big, 'es'), formatSize(1536 * 1024, 'es')]);
    expect(sizes()[1]).toMatch(/^1,5\s?MB$/);
  });

  it('edits the caption, sends on Enter or the button, cancels and removes', async () => {
    const wrapper = preview([{ id: 'a', file: file('a.pdf', 'application/pdf', 10) }]);
    const caption = wrapper.get('[data-testid="attachment-caption"]');
    await caption.setValue('Hi');
    expect(wrapper.emitted('update:caption')).toEqual([['Hi']]);
    await caption.trigger('keydown', { key: 'Enter' });
    await wrapper.get('[data-testid="attachment-send"]').trigger('click');
    expect(wrapper.emitted('send')).toHaveLength(2);
    await wrapper.get('[data-testid="attachment-cancel"]').trigger('click');
    expect(wrapper.emitted('cancel')).toHaveLength(1);
    await wrapper.get('[aria-label="Remove a.pdf"]').trigger('click');
    expect(wrapper.emitted('remove')).toEqual([['a']]);
  });

  it('marks a caption over 1,024 characters and will not send it', async () => {
    const wrapper = preview([{ id: 'a', file: file('a.pdf', 'application/pdf', 10) }], 'x'.repeat(1025));
    expect(wrapper.get('[data-testid="attachment-caption"]').attributes('aria-invalid')).toBe('true');
    expect(wrapper.get('[data-testid="attachment-send"]').attributes('disabled')).toBeDefined();
    expect(wrapper.text()).toContain('-1');
  });
});
