import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import DeskIcon from './DeskIcon.vue';
import { ICONS, ICON_NAMES } from './icons.js';

const SHAPES = ['path', 'circle', 'rect'];

describe('DeskIcon', () => {
  it('draws an icon of the set by name, in the text colour, at the size asked', () => {
    const svg = mount(DeskIcon, { props: { name: 'send', size: 20 } }).get('svg');
    expect(svg.attributes()).toMatchObject({ viewBox: '0 0 24 24', width: '20', height: '20', 'data-icon': 'send' });
    expect(svg.findAll('path')).toHaveLength(1);
    expect(svg.get('path').attributes('fill')).toBe('currentColor');
  });

  it('is 24 px unless told, and keeps an icon\'s own viewBox', () => {
    expect(mount(DeskIcon, { props: { name: 'close' } }).get('svg').attributes('width')).toBe('24');
    expect(mount(DeskIcon, { props: { name: 'sent' } }).get('svg').attributes('viewBox')).toBe('0 0 16 16');
  });

  it('draws every part, outlines stroked and shapes filled as the set says', () => {
    const svg = mount(DeskIcon, { props: { name: 'failed' } }).get('svg');
    expect(svg.findAll('circle')).toHaveLength(2);
    expect(svg.get('path').attributes()).toMatchObject({ stroke: '#fff', 'stroke-width': '1.8' });
    const keyboard = mount(DeskIcon, { props: { name: 'keyboard' } }).get('svg');
    expect(keyboard.get('rect').attributes()).toMatchObject({ fill: 'none', stroke: 'currentColor', rx: '2' });
  });

  it('is decorative (hidden from screen readers) unless it has a label', () => {
    const decorative = mount(DeskIcon, { props: { name: 'eye' } }).get('svg');
    expect(decorative.attributes('aria-hidden')).toBe('true');
    expect(decorative.attributes('role')).toBeUndefined();
    expect(decorative.attributes('focusable')).toBe('false');
    const named = mount(DeskIcon, { props: { name: 'eye', label: 'Seen' } }).get('svg');
    expect(named.attributes()).toMatchObject({ role: 'img', 'aria-label': 'Seen' });
    expect(named.attributes('aria-hidden')).toBeUndefined();
  });

  it('draws nothing for a name the set does not have (and Vue warns)', () => {
    const svg = mount(DeskIcon, { props: { name: 'no-such-icon' } }).get('svg');
    expect(svg.element.children).toHaveLength(0);
  });
});

describe('icons.js', () => {
  it('holds each icon as a viewBox and SVG parts, nothing that could carry markup', () => {
    expect(ICON_NAMES.length).toBeGreaterThan(30);
    for (const name of ICON_NAMES) {
      const { viewBox = '0 0 24 24', parts } = ICONS[name];
      expect(viewBox, name).toMatch(/^0 0 \d+ \d+$/);
      expect(parts.length, name).toBeGreaterThan(0);
      for (const [tag, attrs] of parts) {
        expect(SHAPES, name).toContain(tag);
        expect(Object.keys(attrs).every((key) => /^[a-z-]+$/.test(key) && !key.startsWith('on')), name).toBe(true);
      }
    }
  });

  it('draws in the text colour, so an icon follows the theme and its button', () => {
    for (const name of ICON_NAMES) {
      const colours = ICONS[name].parts.flatMap(([, attrs]) => [attrs.fill, attrs.stroke]).filter((c) => c && c !== 'none');
      expect(colours.some((colour) => colour === 'currentColor'), name).toBe(true);
    }
  });
});
