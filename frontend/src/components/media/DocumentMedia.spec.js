import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import DocumentMedia from './DocumentMedia.vue';
import { storedFixture } from '../../test/telegramFixtures.js';

const documentMedia = (overrides = {}) => ({ ...storedFixture('document').media, ...overrides });
const mountDocument = (media) => mount(DocumentMedia, { props: { media } });

describe('DocumentMedia', () => {
  it('is a download link with the file\'s name and size', () => {
    const link = mountDocument(documentMedia()).get('[data-testid="media-document"]');
    expect(link.element.tagName).toBe('A');
    expect(link.attributes()).toMatchObject({ download: 'invoice_1234.pdf', 'aria-label': 'Download invoice_1234.pdf' });
    expect(link.attributes('href')).toMatch(/^\/api\/.+\/media$/);
    expect(link.text()).toContain('invoice_1234.pdf');
    expect(link.text()).toMatch(/180\s?kB · PDF/i);
  });

  it('names an agent\'s upload that Telegram does not have yet, without a link', () => {
    const file = mountDocument({ kind: 'document', filename: 'plan.docx', size: 2048 }).get('[data-testid="media-document"]');
    expect(file.element.tagName).toBe('DIV');
    expect(file.text()).toContain('plan.docx');
  });

  it('says a file over 20 MB is too large to download', () => {
    const wrapper = mountDocument(documentMedia({ file_size: 30 * 1024 * 1024 }));
    expect(wrapper.find('a').exists()).toBe(false);
    expect(wrapper.get('[data-testid="media-too-large"]').text()).toContain('invoice_1234.pdf');
  });
});
