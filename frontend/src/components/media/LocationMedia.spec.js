import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import LocationMedia from './LocationMedia.vue';
import { storedFixture } from '../../test/telegramFixtures.js';

const mountLocation = (media) => mount(LocationMedia, { props: { media } });

describe('LocationMedia', () => {
  it('links a location to OpenStreetMap in a new tab', () => {
    const link = mountLocation(storedFixture('location').media).get('[data-testid="media-location"]');
    expect(link.attributes()).toMatchObject({
      href: 'https://www.openstreetmap.org/?mlat=51.519459&mlon=-0.126931#map=16/51.519459/-0.126931',
      target: '_blank',
      rel: 'noopener noreferrer',
    });
  });

  it('shows a venue\'s name and address, with its map link', () => {
    const venue = mountLocation(storedFixture('venue').media).get('[data-testid="media-venue"]');
    expect(venue.text()).toContain('British Museum');
    expect(venue.text()).toContain('Great Russell St, London WC1B 3DG');
    expect(venue.get('[data-testid="media-location"]').attributes('href')).toContain('mlat=51.519413&mlon=-0.126957');
  });

  it('makes no link from coordinates that are not numbers', () => {
    const wrapper = mountLocation({ kind: 'location', latitude: '1"><script>', longitude: 2 });
    expect(wrapper.find('a').exists()).toBe(false);
    expect(wrapper.text()).toContain('Location');
  });
});
