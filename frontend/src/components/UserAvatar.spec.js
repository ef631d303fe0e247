import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import UserAvatar from './UserAvatar.vue';

describe('UserAvatar', () => {
  it('shows the initials on the chosen avatar colour', () => {
    const wrapper = mount(UserAvatar, { props: { initials: 'AG', colour: 3, size: 40 } });
    expect(wrapper.text()).toBe('AG');
    expect(wrapper.attributes('data-kind')).toBe('initials');
    expect(wrapper.find('img').exists()).toBe(false);
    expect(wrapper.attributes('style')).toContain('var(--td-avatar-3)');
    expect(wrapper.attributes('style')).toContain('width: 40px');
  });

  it('shows the photo when there is one', () => {
    const wrapper = mount(UserAvatar, { props: { initials: 'AG', src: '/api/conversations/1/avatar' } });
    expect(wrapper.attributes('data-kind')).toBe('photo');
    expect(wrapper.get('img').attributes('src')).toBe('/api/conversations/1/avatar');
    expect(wrapper.get('img').attributes('alt')).toBe('');
  });

  it('falls back to the initials when the photo fails, and does not ask for it again', async () => {
    const src = '/api/conversations/404/avatar';
    const wrapper = mount(UserAvatar, { props: { initials: 'AG', src } });
    await wrapper.get('img').trigger('error');
    expect(wrapper.attributes('data-kind')).toBe('initials');
    expect(wrapper.find('img').exists()).toBe(false);
    expect(wrapper.text()).toBe('AG');

    const again = mount(UserAvatar, { props: { initials: 'AG', src } });
    expect(again.find('img').exists()).toBe(false);
    await again.setProps({ src: '/api/conversations/5/avatar' });
    expect(again.get('img').attributes('src')).toBe('/api/conversations/5/avatar');
  });
});
