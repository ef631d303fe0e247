import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import ContactCard from './ContactCard.vue';
import { storedFixture } from '../../test/telegramFixtures.js';

describe('ContactCard', () => {
  it('shows the name, a phone link and whether they use Telegram', () => {
    const card = mount(ContactCard, { props: { media: storedFixture('contact').media } }).get('[data-testid="media-contact"]');
    expect(card.text()).toContain('Alex Morgan');
    expect(card.text()).toContain('On Telegram');
    expect(card.get('a').attributes('href')).toBe('tel:+447700900123');
  });

  it('builds the phone link from digits only', () => {
    const card = mount(ContactCard, { props: { media: { kind: 'contact', first_name: 'X', phone_number: '+1 (555) javascript:1' } } });
    expect(card.get('a').attributes('href')).toBe('tel:+15551');
    expect(card.text()).not.toContain('On Telegram');
  });
});
