import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { i18n } from '../../i18n/index.js';
import CsatStars from './CsatStars.vue';

const HOSTILE = '<img src=x onerror=alert(1)>';
const rated = (rating, extra = {}) => ({ chat_id: 1, csat: { rating, at: 1_800_000_000, opening: 1_799_990_000, ...extra } });
const stars = (conversation, compact = false) => mount(CsatStars, { props: { conversation, compact } }).find('[data-testid="csat-stars"]');

describe('CsatStars', () => {
  it.each([[1, '★☆☆☆☆'], [4, '★★★★☆'], [5, '★★★★★']])('draws a rating of %i as %s, named for screen readers', (rating, drawn) => {
    const shown = stars(rated(rating));
    expect(shown.text()).toBe(drawn);
    expect(shown.attributes('data-rating')).toBe(String(rating));
    expect(shown.attributes('role')).toBe('img');
    expect(shown.attributes('aria-label')).toBe(`Rated ${rating} of 5`);
    expect(shown.get('.stars__given').text()).toBe('★'.repeat(rating));
  });

  it('says when in its tooltip', () => {
    expect(stars(rated(4)).attributes('title')).toMatch(/^Rated 4 of 5 on .*20\d\d/);
    expect(stars(rated(4, { at: null })).attributes('title')).toBe('Rated 4 of 5');
  });

  it('is one star and the number when compact', () => {
    const shown = stars(rated(3), true);
    expect(shown.text()).toBe('★ 3');
    expect(shown.attributes('aria-label')).toBe('Rated 3 of 5');
  });

  it.each([undefined, null, {}, { rating: 0 }, { rating: 9 }, { rating: HOSTILE }])('shows nothing for csat %j', (csat) => {
    const wrapper = mount(CsatStars, { props: { conversation: { chat_id: 1, csat } } });
    expect(wrapper.find('[data-testid="csat-stars"]').exists()).toBe(false);
    expect(wrapper.html()).not.toContain('<img');
  });

  it('speaks Spanish', () => {
    i18n.global.locale.value = 'es';
    expect(stars(rated(4)).attributes('aria-label')).toBe('Valorada con 4 de 5');
  });
});
