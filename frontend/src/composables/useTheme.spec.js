import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defineComponent, h } from 'vue';
import * as desk from '../api/desk.js';
import { DARK_STYLE_ID, applyTheme, darkCss, useTheme } from './useTheme.js';

vi.mock('../api/desk.js');

afterEach(() => {
  document.documentElement.removeAttribute('style');
  document.getElementById(DARK_STYLE_ID)?.remove();
});

const darkStyle = () => document.getElementById(DARK_STYLE_ID);

describe('useTheme', () => {
  it('applies the theme at start: light on <html>, dark in one media block, the name as title', async () => {
    desk.theme.mockResolvedValue({
      name: 'Acme Soporte',
      radius: '14px',
      colors: { accent: '#c2185b' },
      dark: { accent: '#f06292' },
    });
    mount(defineComponent({ setup() { useTheme(); return () => h('div'); } }));
    await flushPromises();
    const root = document.documentElement.style;
    expect(root.getPropertyValue('--td-accent')).toBe('#c2185b');
    expect(root.getPropertyValue('--td-radius-bubble')).toBe('14px');
    expect(darkStyle().textContent).toBe(darkCss({ '--td-accent': '#f06292' }));
    expect(darkStyle().textContent).toContain('@media (prefers-color-scheme: dark)');
    expect(darkStyle().textContent).toContain('--td-accent: #f06292 !important;');
    expect(document.title).toBe('Acme Soporte');
  });

  it('reuses its one style element, and removes it when there is no dark set', () => {
    applyTheme({ light: {}, dark: { '--td-bg': '#000' } });
    applyTheme({ light: {}, dark: { '--td-bg': '#111' } });
    expect(document.querySelectorAll(`#${DARK_STYLE_ID}`)).toHaveLength(1);
    expect(darkStyle().textContent).toContain('--td-bg: #111 !important;');
    applyTheme({ light: {}, dark: {} });
    expect(darkStyle()).toBeNull();
  });
});
