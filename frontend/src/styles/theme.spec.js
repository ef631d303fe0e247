import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const css = readFileSync(join(__dirname, 'theme.css'), 'utf8');

/**
 * WCAG AA for the built-in look: the main text/background pairs of theme.css, light and dark,
 * keep a contrast ratio of at least 4.5:1. The variables are read from the stylesheet itself.
 */

function declarations(block) {
  return Object.fromEntries([...block.matchAll(/(--td-[\w-]+)\s*:\s*([^;]+);/g)].map(([, name, value]) => [name, value.trim()]));
}

function schemes(source) {
  const dark = source.match(/@media \(prefers-color-scheme: dark\)\s*{\s*:root\s*{([^}]*)}/);
  const light = source.match(/:root\s*{([^}]*)}/);
  const base = declarations(light[1]);
  return { light: base, dark: { ...base, ...declarations(dark[1]) } };
}

function resolve(variables, name) {
  const value = variables[name];
  const reference = value?.match(/^var\((--td-[\w-]+)\)$/);
  return reference ? resolve(variables, reference[1]) : value;
}

/** [r, g, b, a] with r, g, b in 0..255, from #rgb, #rrggbb or rgb()/rgba(). */
function parse(colour) {
  const hex = colour.match(/^#([0-9a-f]{3}|[0-9a-f]{6})$/i);
  if (hex) {
    const digits = hex[1].length === 3 ? [...hex[1]].map((d) => d + d) : hex[1].match(/../g);
    return [...digits.map((d) => parseInt(d, 16)), 1];
  }
  const fn = colour.match(/^rgba?\(([^)]+)\)$/);
  if (fn) {
    const [r, g, b, a = 1] = fn[1].split(/[\s,/]+/).map(Number);
    return [r, g, b, a];
  }
  throw new Error(`not a colour this spec reads: ${colour}`);
}

const over = ([r, g, b, a], [br, bg, bb]) => [r * a + br * (1 - a), g * a + bg * (1 - a), b * a + bb * (1 - a)];

function luminance(rgb) {
  const [r, g, b] = rgb.map((c) => c / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(foreground, background) {
  const back = parse(background);
  const [lighter, darker] = [luminance(over(parse(foreground), back)), luminance(back)].sort((x, y) => y - x);
  return (lighter + 0.05) / (darker + 0.05);
}

const PAIRS = [
  ['text', 'bg'], ['text', 'surface'], ['text', 'surface-raised'],
  ['text-secondary', 'bg'], ['text-secondary', 'hover'], ['text-secondary', 'surface-raised'],
  ['accent', 'surface'], ['accent-contrast', 'accent'], ['badge-text', 'badge-bg'],
  ['bubble-in-text', 'bubble-in-bg'], ['bubble-in-meta', 'bubble-in-bg'],
  ['bubble-out-text', 'bubble-out-bg'], ['bubble-out-meta', 'bubble-out-bg'],
  ['danger', 'surface'], ['danger-contrast', 'danger'], ['warning-text', 'warning-bg'], ['note-text', 'note-bg'],
];

const SCHEMES = schemes(css);

describe('theme.css contrast (WCAG AA)', () => {
  it('computes ratios as WCAG does', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#ffffff', '#ffffff')).toBeCloseTo(1, 5);
    expect(contrast('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
    expect(contrast('rgba(0, 0, 0, 0.5)', '#ffffff')).toBeCloseTo(contrast('#7f7f7f', '#ffffff'), 1);
  });

  it('reads both schemes from the stylesheet', () => {
    expect(SCHEMES.light['--td-bg']).toBe('#ffffff');
    expect(SCHEMES.dark['--td-bg']).toBe('#212121');
  });

  for (const scheme of ['light', 'dark']) {
    it(`${scheme}: chips (the empty pane, day separators) read over every colour of the wallpaper`, () => {
      const variables = SCHEMES[scheme];
      const wallpaper = resolve(variables, '--td-chat-wallpaper').match(/#[0-9a-f]{6}/gi);
      expect(wallpaper.length).toBeGreaterThan(1);
      for (const stop of wallpaper) {
        const chip = over(parse(resolve(variables, '--td-chip-bg')), parse(stop)).map(Math.round);
        const ratio = contrast(resolve(variables, '--td-chip-text'), `rgb(${chip.join(', ')})`);
        expect(ratio, `chip over ${stop}: ${ratio.toFixed(2)}`).toBeGreaterThanOrEqual(4.5);
      }
    });

    it.each(PAIRS)(`${scheme}: --td-%s on --td-%s is at least 4.5:1`, (fg, bg) => {
      const variables = SCHEMES[scheme];
      const ratio = contrast(resolve(variables, `--td-${fg}`), resolve(variables, `--td-${bg}`));
      expect(ratio, `${fg} on ${bg}: ${ratio.toFixed(2)}`).toBeGreaterThanOrEqual(4.5);
    });
  }
});
