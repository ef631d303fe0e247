/**
 * The console's icons, every one drawn here and nowhere else (DeskIcon draws them by name).
 * Each is a viewBox (24 × 24 unless said) and its parts, `[tag, attributes]`: filled shapes take
 * the text colour (`currentColor`), outlines are stroked in it.
 */

const shape = (tag, attrs) => [tag, attrs];
const fill = (d) => shape('path', { d, fill: 'currentColor' });
const dot = (cx, cy, r) => shape('circle', { cx, cy, r, fill: 'currentColor' });

/** An outline: `round` rounds the line ends, `join` the corners, as each icon was drawn. */
function stroke(d, { width = 2, round = true, join = false } = {}) {
  return shape('path', {
    d,
    fill: 'none',
    stroke: 'currentColor',
    'stroke-width': width,
    ...(round ? { 'stroke-linecap': 'round' } : {}),
    ...(join ? { 'stroke-linejoin': 'round' } : {}),
  });
}
const ring = (cx, cy, r, width = 2) => shape('circle', { cx, cy, r, fill: 'none', stroke: 'currentColor', 'stroke-width': width });
const rounded = { join: true };

export const ICONS = Object.freeze({
  // the top bar
  settings: { parts: [ring(12, 12, 3), stroke('M12 2.5v3M12 18.5v3M21.5 12h-3M5.5 12h-3M18.7 5.3l-2.1 2.1M7.4 16.6l-2.1 2.1M18.7 18.7l-2.1-2.1M7.4 7.4L5.3 5.3')] },
  team: { parts: [ring(9, 8, 3.5), stroke('M2.5 20c.8-3.6 3.3-5.5 6.5-5.5s5.7 1.9 6.5 5.5M16 4.8a3.5 3.5 0 010 6.4M18.5 14.8c1.6.8 2.6 2.5 3 5.2')] },
  stats: { parts: [stroke('M4 20h16M7 16v-4M12 16V6M17 16V9', { width: 2.2 })] },
  keyboard: {
    parts: [
      shape('rect', { x: 2.5, y: 6, width: 19, height: 12, rx: 2, fill: 'none', stroke: 'currentColor', 'stroke-width': 2 }),
      stroke('M6 10h.01M10 10h.01M14 10h.01M18 10h.01M8 14h8'),
    ],
  },
  logout: { parts: [stroke('M14 4h4a2 2 0 012 2v12a2 2 0 01-2 2h-4M9 8l-4 4 4 4M5 12h10', rounded)] },
  close: { parts: [stroke('M6 6l12 12M18 6L6 18')] },
  search: { parts: [ring(11, 11, 6.5), stroke('M16 16l4.5 4.5')] },
  warning: { parts: [stroke('M12 3l10 18H2zm0 6v5m0 3v.5', rounded)] },
  logo: { viewBox: '0 0 32 32', parts: [fill('M7 15.5l16-6.5-2.7 14.2-5.3-3.7-2.6 2.5.4-4.3 7-6.4-8.8 5.4z')] },

  // the conversation's header
  back: { parts: [stroke('M15 5l-7 7 7 7', rounded)] },
  pending: { parts: [ring(12, 12, 8.5), stroke('M12 7.5V12l3 2')] },
  resolve: { parts: [stroke('M5 12.5l4.5 4.5L19 7.5', { width: 2.2, join: true })] },
  reopen: { parts: [stroke('M19 12a7 7 0 11-2.05-4.95M19 4.5V8h-3.5', rounded)] },
  'new-chat': { parts: [stroke('M4 18.5V6a2 2 0 012-2h12a2 2 0 012 2v8a2 2 0 01-2 2H8zM12 7v6M9 10h6', rounded)] },
  eye: { parts: [fill('M12 5c-5 0-9 4.5-10 7 1 2.5 5 7 10 7s9-4.5 10-7c-1-2.5-5-7-10-7zm0 11a4 4 0 110-8 4 4 0 010 8z')] },
  // the lifecycle's marks: the first-response SLA's countdown, a raised priority
  timer: { parts: [ring(12, 13.5, 7.5), stroke('M12 9.5v4l2.5 1.5M10 2.5h4M18.5 6.5l1.5-1.5', rounded)] },
  // a Telegram Business chat: the company's own account
  business: { parts: [stroke('M4 8h16v11H4zM9 8V5.5h6V8M4 13h16', rounded)] },
  flag: { parts: [fill('M5 3h1.8v18H5zM8.3 4h10.2l-2.4 4.5 2.4 4.5H8.3z')] },

  // the messages
  'chevron-down': { parts: [stroke('M6 9l6 6 6-6', rounded)] },
  more: { parts: [dot(12, 5.5, 1.8), dot(12, 12, 1.8), dot(12, 18.5, 1.8)] },
  note: { parts: [stroke('M7 10V7a5 5 0 0110 0v3M6 10h12v10H6z', { round: false, join: true })] },
  queued: { viewBox: '0 0 16 16', parts: [ring(8, 8, 6.2, 1.5), stroke('M8 4.6V8l2.3 1.6', { width: 1.5 })] },
  sent: { viewBox: '0 0 16 16', parts: [stroke('M3 8.6l3.2 3.1L13 4.6', { width: 1.7, join: true })] },
  failed: {
    viewBox: '0 0 16 16',
    parts: [
      dot(8, 8, 7),
      shape('path', { d: 'M8 4.3v4.6', stroke: '#fff', 'stroke-width': 1.8, 'stroke-linecap': 'round' }),
      shape('circle', { cx: 8, cy: 11.6, r: 1.1, fill: '#fff' }),
    ],
  },

  // media
  play: { parts: [fill('M8 5.5v13l10.5-6.5z')] },
  pause: { parts: [fill('M8 5h3v14H8zM13 5h3v14h-3z')] },
  download: { parts: [stroke('M12 4v11m0 0l-4-4m4 4l4-4M5 19h14', rounded)] },
  upload: { parts: [stroke('M12 16V5m0 0l-4 4m4-4l4 4M5 19h14', { width: 1.8, join: true })] },
  alert: { parts: [stroke('M12 8v5m0 3.2v.1M10.3 3.9L2.6 17.5A2 2 0 004.3 20.5h15.4a2 2 0 001.7-3L13.7 3.9a2 2 0 00-3.4 0z', { width: 1.8, join: true })] },
  pin: { parts: [fill('M12 2a7 7 0 00-7 7c0 5.2 7 13 7 13s7-7.8 7-13a7 7 0 00-7-7zm0 9.5A2.5 2.5 0 1112 6.5a2.5 2.5 0 010 5z')] },

  // the composer
  emoji: { parts: [fill('M12 2a10 10 0 110 20 10 10 0 010-20zm0 2a8 8 0 100 16 8 8 0 000-16zm-4 9.5h8a4 4 0 01-8 0zM9 8.5a1.5 1.5 0 110 3 1.5 1.5 0 010-3zm6 0a1.5 1.5 0 110 3 1.5 1.5 0 010-3z')] },
  lock: { parts: [fill('M12 2a5 5 0 015 5v3h1a2 2 0 012 2v8a2 2 0 01-2 2H6a2 2 0 01-2-2v-8a2 2 0 012-2h1V7a5 5 0 015-5zm0 2a3 3 0 00-3 3v3h6V7a3 3 0 00-3-3z')] },
  attach: { parts: [fill('M16.5 6v11.5a4 4 0 01-8 0V5a2.5 2.5 0 015 0v10.5a1 1 0 01-2 0V6H10v9.5a2.5 2.5 0 005 0V5a4 4 0 00-8 0v12.5a5.5 5.5 0 0011 0V6h-1.5z')] },
  send: { parts: [fill('M3.4 20.4l17.45-7.48a1 1 0 000-1.84L3.4 3.6a.99.99 0 00-1.39.91L2 9.12c0 .5.37.93.87.99L17 12 2.87 13.88c-.5.07-.87.5-.87 1l.01 4.61c0 .71.73 1.2 1.39.91z')] },
  done: { parts: [fill('M9 16.2L4.8 12l-1.4 1.4L9 19 21 7l-1.4-1.4L9 16.2z')] },
  reply: { parts: [fill('M10 9V5l-7 7 7 7v-4.1c5 0 8.5 1.6 11 5.1-1-5-4-10-11-11z')] },
  edit: { parts: [fill('M3 17.25V21h3.75L17.81 9.94l-3.75-3.75L3 17.25zm17.71-10.21a1 1 0 000-1.41l-2.34-2.34a1 1 0 00-1.41 0l-1.83 1.83 3.75 3.75 1.83-1.83z')] },
  trash: { parts: [fill('M6 19a2 2 0 002 2h8a2 2 0 002-2V7H6v12zM19 4h-3.5l-1-1h-5l-1 1H5v2h14V4z')] },
});

export const ICON_NAMES = Object.freeze(Object.keys(ICONS));
