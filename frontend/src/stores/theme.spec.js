import { describe, expect, it, vi } from 'vitest';
import * as desk from '../api/desk.js';
import { isColour, isLength, themeVariables, useThemeStore } from './theme.js';

vi.mock('../api/desk.js');

const ACME = {
  name: '  Acme Soporte ',
  logo: '/api/theme/logo',
  radius: '14px',
  colors: { accent: '#c2185b', 'bubble-out-bg': '#fce4ec' },
  dark: { accent: '#f06292', 'bubble-out-bg': 'rgb(74, 25, 48)' },
};

describe('theme store', () => {
  it('takes the name, logo and variables of the theme file, once', async () => {
    desk.theme.mockResolvedValue(ACME);
    const theme = useThemeStore();
    await Promise.all([theme.load(), theme.load()]);
    expect(desk.theme).toHaveBeenCalledOnce();
    expect(theme.name).toBe('Acme Soporte');
    expect(theme.logo).toBe('/api/theme/logo');
    expect(theme.light).toEqual({
      '--td-accent': '#c2185b',
      '--td-bubble-out-bg': '#fce4ec',
      '--td-radius': '14px',
      '--td-radius-bubble': '14px',
    });
    expect(theme.dark).toEqual({ '--td-accent': '#f06292', '--td-bubble-out-bg': 'rgb(74, 25, 48)' });
  });

  it('keeps the built-in look without a theme', async () => {
    desk.theme.mockRejectedValue(new Error('network'));
    const theme = useThemeStore();
    await theme.load();
    expect(theme.name).toBe('');
    expect(theme.logo).toBeNull();
    expect(theme.light).toEqual({});
  });

  it('leaves out anything that could escape into other CSS, and logos from elsewhere', async () => {
    desk.theme.mockResolvedValue({
      logo: 'https://evil.example/logo.png',
      radius: '1px; } body { display: none',
      colors: { accent: 'red; } * { display: none', 'Bad Key': '#fff', 'x}': '#fff', ok: '#abc' },
      dark: { accent: 'url(https://evil.example/x)', 'bubble-in-bg': 'expression(alert(1))' },
    });
    const theme = useThemeStore();
    await theme.load();
    expect(theme.logo).toBeNull();
    expect(theme.light).toEqual({ '--td-ok': '#abc' });
    expect(theme.dark).toEqual({});
  });

  // As the relay takes them (api/rules.spec.js runs the relay's whole table): hex, rgb() or rgba();
  // px or rem. hsl(), colour names and other units are refused, as the relay refuses them.
  it.each([
    ['#fff', true], ['#c2185bcc', true], ['rgba(0, 0, 0, 0.5)', true], ['hsl(210deg 80% 50%)', false],
    ['transparent', false], ['#ggg', false], ['var(--x)', false], ['red;', false], ['', false], [12, false],
  ])('knows a colour: %s', (value, ok) => expect(isColour(value)).toBe(ok));

  it.each([['14px', true], ['0', false], ['1.5rem', true], ['14', false], ['-1px', false], ['1px 2px', false]])(
    'knows a length: %s', (value, ok) => expect(isLength(value)).toBe(ok));

  it('maps nothing from nothing', () => {
    expect(themeVariables(null)).toEqual({ light: {}, dark: {} });
  });
});
