import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import EditHistory from './EditHistory.vue';

describe('EditHistory', () => {
  it('lists the earlier versions, oldest first, as text', () => {
    const wrapper = mount(EditHistory, { props: { history: [
      { text: '<b>first</b>', media: null, date: 1781601000 },
      { text: '', media: { kind: 'photo' }, date: 1781601100 },
    ] } });
    const items = wrapper.findAll('li');
    expect(items[0].get('.history__text').text()).toBe('<b>first</b>');
    expect(wrapper.find('b').exists()).toBe(false);
    expect(items[1].get('.history__text').text()).toBe('Photo');
    expect(items[0].get('time').text()).toMatch(/2026/);
  });

  it('says when no earlier text was kept (an edit of a message the desk never saw)', () => {
    expect(mount(EditHistory, { props: { history: [] } }).text()).toContain('The earlier text was not kept');
  });
});
