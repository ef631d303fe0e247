import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { storedFixture } from '../../test/telegramFixtures.js';
import AlbumGrid from './AlbumGrid.vue';

describe('AlbumGrid', () => {
  it('draws every part of the album in one grid, the first full width when the count is odd', () => {
    const parts = [storedFixture('album_1'), storedFixture('album_2'), storedFixture('video')];
    const grid = mount(AlbumGrid, { props: { messages: parts } }).get('[data-testid="media-album"]');
    expect(grid.classes()).toContain('album--odd');
    expect(grid.attributes('aria-label')).toBe('Album of 3 items');
    expect(grid.findAll('[data-testid="media-photo"]')).toHaveLength(2);
    expect(grid.findAll('[data-testid="media-video"]')).toHaveLength(1);
    expect(grid.findAll('.album__cell').map((cell) => cell.attributes('data-message-id'))).toEqual(parts.map((p) => p.id));
  });
});
