import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { useThemeStore } from '../stores/theme.js';
import BrandMark from './BrandMark.vue';

describe('BrandMark', () => {
  it('shows teledesk without a theme', () => {
    const wrapper = mount(BrandMark);
    expect(wrapper.get('[data-testid="brand-name"]').text()).toBe('teledesk');
    expect(wrapper.find('[data-testid="brand-logo"]').exists()).toBe(false);
  });

  it('shows the organisation\'s name and logo, the name as text', async () => {
    const theme = useThemeStore();
    theme.name = '<i>Acme</i> Soporte';
    theme.logo = '/api/theme/logo';
    const wrapper = mount(BrandMark);
    expect(wrapper.get('[data-testid="brand-name"]').text()).toBe('<i>Acme</i> Soporte');
    expect(wrapper.find('i').exists()).toBe(false);
    expect(wrapper.get('[data-testid="brand-logo"]').attributes()).toMatchObject({ src: '/api/theme/logo', alt: '' });
  });
});
