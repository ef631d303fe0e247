import { describe, expect, it } from 'vitest';
import { fileName, fileUrl, formatDuration, formatSize, previewUrl, tooLarge } from './mediaFiles.js';

describe('mediaFiles', () => {
  it('accepts only the relay\'s own URLs, and local previews only as blob: URLs', () => {
    expect(fileUrl({ url: '/api/conversations/1/messages/m/media' })).toBe('/api/conversations/1/messages/m/media');
    for (const url of ['javascript:alert(1)', 'https://evil.example/a', '//evil.example/a', '/apix', null, 42]) {
      expect(fileUrl({ url }), String(url)).toBeNull();
    }
    expect(previewUrl({ local_url: 'blob:http://x/1' })).toBe('blob:http://x/1');
    expect(previewUrl({ local_url: 'data:text/html,<script>' })).toBeNull();
  });

  it('knows Telegram\'s 20 MB download limit', () => {
    expect(tooLarge({ file_size: 20_000_000 })).toBe(false); // 20 MB as Telegram (and PTB) count it
    expect(tooLarge({ file_size: 20_000_001 })).toBe(true);
    expect(tooLarge({})).toBe(false);
  });

  it('formats durations, sizes and names', () => {
    expect([formatDuration(7), formatDuration(65), formatDuration(3725)]).toEqual(['0:07', '1:05', '1:02:05']);
    expect(formatSize(184320, 'en')).toMatch(/^180\s?kB$/i);
    expect(formatSize(1_500_000, 'en')).toMatch(/^1\.4\s?MB$/);
    expect(formatSize(0, 'en')).toBe('');
    expect([fileName({ file_name: 'a.pdf' }), fileName({ filename: 'b.pdf' }), fileName({})]).toEqual(['a.pdf', 'b.pdf', '']);
  });
});
