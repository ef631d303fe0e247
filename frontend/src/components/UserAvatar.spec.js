import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import UserAvatar from './UserAvatar.vue';

describe('UserAvatar', () => {
  it('shows the initials on the chosen avatar colour', () => {
    const wrapper = mount(UserAvatar, { props: { initials: 'AG', colour: 3, size: 40 } });
    expect(wrapper.text()).toBe('AG');
    expect(wrapper.attributes('style')).toContain('var(--td-avatar-3)');
    expect(wrapper.attributes('style')).toContain('width: 40px');
  });
});
