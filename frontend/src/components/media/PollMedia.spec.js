import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import DiceMedia from './DiceMedia.vue';
import PollMedia from './PollMedia.vue';
import { storedFixture } from '../../test/telegramFixtures.js';

describe('PollMedia', () => {
  it('shows the question, the options and the votes', () => {
    const poll = mount(PollMedia, { props: { media: storedFixture('poll').media } }).get('[data-testid="media-poll"]');
    expect(poll.get('.poll__question').text()).toBe('Which delivery slot works for you?');
    expect(poll.findAll('.poll__option').map((o) => o.text())).toEqual(['0%Morning', '0%Afternoon', '0%Evening']);
    expect(poll.text()).toContain('Anonymous poll');
    expect(poll.get('.poll__total').text()).toBe('0 votes');
  });

  it('shows each option\'s share once people voted', () => {
    const media = { kind: 'poll', question: 'Q', type: 'quiz', total_voter_count: 4, options: [{ text: 'A', voter_count: 3 }, { text: 'B', voter_count: 1 }] };
    const poll = mount(PollMedia, { props: { media } });
    expect(poll.findAll('.poll__share').map((s) => s.text())).toEqual(['75%', '25%']);
    expect(poll.text()).toContain('Quiz');
  });
});

describe('DiceMedia', () => {
  it('shows the emoji and what it rolled', () => {
    const dice = mount(DiceMedia, { props: { media: storedFixture('dice').media } }).get('[data-testid="media-dice"]');
    expect(dice.text()).toBe('🎲Rolled 4');
  });
});
