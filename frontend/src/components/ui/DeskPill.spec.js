import { mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import DeskPill from './DeskPill.vue';

describe('DeskPill', () => {
  it('draws an icon and its label in a tone, muted unless told', () => {
    const pill = mount(DeskPill, { props: { icon: 'timer' }, slots: { default: '1:05' } });
    expect(pill.classes()).toEqual(['pill', 'pill--muted']);
    expect(pill.get('svg').attributes('data-icon')).toBe('timer');
    expect(pill.get('.pill__label').text()).toBe('1:05');
    expect(mount(DeskPill, { props: { icon: 'alert', tone: 'danger' } }).classes()).toContain('pill--danger');
  });

  it('puts the attributes it is given on the pill itself', () => {
    const pill = mount(DeskPill, { props: { icon: 'lock' }, attrs: { 'data-testid': 'x', title: 'Why', class: 'mine' } });
    expect(pill.attributes()).toMatchObject({ 'data-testid': 'x', title: 'Why' });
    expect(pill.classes()).toContain('mine');
  });

  it('takes only its tones (and Vue warns)', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    mount(DeskPill, { props: { icon: 'lock', tone: 'loud' } });
    expect(warn).toHaveBeenCalled();
    warn.mockRestore();
  });
});
