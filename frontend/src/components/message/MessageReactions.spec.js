import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import MessageReactions from './MessageReactions.vue';

describe('MessageReactions', () => {
  it('counts each emoji across who reacted', () => {
    const wrapper = mount(MessageReactions, { props: { reactions: { customer: ['👍'], ana: ['👍', '❤️'] } } });
    const chips = wrapper.findAll('li');
    expect(chips.map((chip) => chip.text())).toEqual(['👍2', '❤️']);
    expect(chips[0].attributes('title')).toBe('👍 from the customer, 👍 from ana');
  });

  it('shows nothing once the reactions are taken back', () => {
    const wrapper = mount(MessageReactions, { props: { reactions: { customer: [] } } });
    expect(wrapper.find('[data-testid="message-reactions"]').exists()).toBe(false);
  });
});
