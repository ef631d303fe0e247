import { mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import DeskButton from './DeskButton.vue';

const button = (options = {}) => mount(DeskButton, options);

describe('DeskButton', () => {
  it('is a plain, accent-coloured button of the middle size unless told otherwise', () => {
    const wrapper = button({ slots: { default: 'Save' } });
    const root = wrapper.get('button');
    expect(root.attributes('type')).toBe('button');
    expect(root.text()).toBe('Save');
    expect(root.classes()).toEqual(expect.arrayContaining(['desk-button', 'desk-button--plain', 'desk-button--accent', 'desk-button--md']));
    expect(root.classes()).not.toContain('desk-button--icon-only');
    expect(root.attributes('style')).toBeUndefined();
    expect(root.find('svg').exists()).toBe(false);
  });

  it('takes its variant, tone and size as props', () => {
    const root = button({ props: { variant: 'outline', tone: 'danger', size: 'sm' }, slots: { default: 'Disable' } }).get('button');
    expect(root.classes()).toEqual(expect.arrayContaining(['desk-button--outline', 'desk-button--danger', 'desk-button--sm']));
    const primary = button({ props: { variant: 'primary', size: 'lg', block: true, caps: true }, slots: { default: 'Sign in' } }).get('button');
    expect(primary.classes()).toEqual(expect.arrayContaining(['desk-button--primary', 'desk-button--lg', 'desk-button--block', 'desk-button--caps']));
  });

  it('submits a form when its type says so', () => {
    expect(button({ props: { type: 'submit' }, slots: { default: 'Add' } }).get('button').attributes('type')).toBe('submit');
  });

  it('with an icon and no text is a round icon button named by its label, the icon decorative', () => {
    const root = button({ props: { icon: 'close', tone: 'muted', label: 'Close' } }).get('button');
    expect(root.classes()).toContain('desk-button--icon-only');
    expect(root.attributes('style')).toBe('width: 34px; height: 34px;');
    expect(root.attributes()).toMatchObject({ 'aria-label': 'Close', title: 'Close' });
    const svg = root.get('svg');
    expect(svg.attributes()).toMatchObject({ 'data-icon': 'close', 'aria-hidden': 'true', width: '22' });
  });

  it('sizes its icon by its own size, or as told', () => {
    expect(button({ props: { icon: 'send', size: 'xxl', label: 'Send' } }).get('svg').attributes('width')).toBe('24');
    expect(button({ props: { icon: 'more', size: 'xs', label: 'Actions' } }).get('svg').attributes('width')).toBe('18');
    expect(button({ props: { icon: 'lock', size: 'lg', iconSize: 22, label: 'Note' } }).get('svg').attributes('width')).toBe('22');
  });

  it('lets the caller\'s own attributes win: a title of its own, aria state, test hooks', () => {
    const root = button({
      props: { icon: 'logout', label: 'Log out' },
      attrs: { title: 'Log out · Ana', 'aria-expanded': 'false', 'data-testid': 'logout' },
    }).get('button');
    expect(root.attributes()).toMatchObject({ 'aria-label': 'Log out', title: 'Log out · Ana', 'aria-expanded': 'false', 'data-testid': 'logout' });
  });

  it('calls the click handler it is given, and not while disabled', async () => {
    const onClick = vi.fn();
    const wrapper = button({ props: { icon: 'resolve', label: 'Resolve' }, attrs: { onClick } });
    await wrapper.get('button').trigger('click');
    expect(onClick).toHaveBeenCalledTimes(1);
    await wrapper.setProps({ disabled: true });
    expect(wrapper.get('button').attributes()).toHaveProperty('disabled');
    await wrapper.get('button').trigger('click');
    expect(onClick).toHaveBeenCalledTimes(1);
  });

  it('with an href is a link that looks the same', () => {
    const wrapper = button({
      props: { href: '/api/x/media', tone: 'inverse' },
      attrs: { target: '_blank', rel: 'noopener noreferrer' },
      slots: { default: 'Open original' },
    });
    expect(wrapper.find('button').exists()).toBe(false);
    const link = wrapper.get('a');
    expect(link.attributes()).toMatchObject({ href: '/api/x/media', target: '_blank', rel: 'noopener noreferrer' });
    expect(link.classes()).toEqual(expect.arrayContaining(['desk-button', 'desk-button--inverse']));
  });

  it('keeps a badge in its corner without losing its round icon shape', () => {
    const root = button({ props: { icon: 'chevron-down', variant: 'raised', size: 'xl', label: 'Newest' }, slots: { badge: '<span class="n">3</span>' } }).get('button');
    expect(root.classes()).toContain('desk-button--icon-only');
    expect(root.get('.n').text()).toBe('3');
  });

  it('renders its text as text, never as markup', () => {
    const root = button({ slots: { default: () => '<img src=x onerror=alert(1)>' } }).get('button');
    expect(root.find('img').exists()).toBe(false);
    expect(root.text()).toBe('<img src=x onerror=alert(1)>');
  });
});
