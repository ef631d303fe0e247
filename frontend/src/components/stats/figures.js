/**
 * The stats page's figures, from the relay's `GET /api/stats` answer (realtime/stats.py,
 * teledesk/metrics/stats.py `Stats`): the order things are listed in, the hours of the chart,
 * and numbers, durations and times written in the agent's language.
 */

export const HOUR_S = 3600;
export const CHART_COLOURS = 8; // --td-chart-1 … --td-chart-8 (styles/theme.css)

// Message types as the envelope names them, customers' first; a type the console does not know comes after.
export const TYPE_ORDER = ['CLIENT', 'AGENT', 'BOT', 'OWNER', 'COMMAND', 'CALLBACK', 'MEMBER', 'UNSUPPORTED'];
// The desk's parts in the order a message goes through them: the hops and the steps that park dead letters.
export const PART_ORDER = ['ingest', 'classify', 'enrich', 'relay', 'autoreply', 'deliver', 'metrics'];

/** `names` in `order`, those it does not list after them, alphabetically. */
export function ordered(names, order) {
  const rank = (name) => (order.includes(name) ? order.indexOf(name) : order.length);
  return [...new Set(names)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** Every type the window has, in the total or in any hour, in TYPE_ORDER. */
export function messageTypes(stats) {
  const fromHours = (stats?.per_hour ?? []).flatMap((hour) => Object.keys(hour.messages ?? {}));
  return ordered([...Object.keys(stats?.messages ?? {}), ...fromHours], TYPE_ORDER);
}

/** A type's chart colour (a CSS variable's name), the same whichever other types the window has; the last for unknown ones. */
export function typeColour(type) {
  const known = TYPE_ORDER.indexOf(type);
  return `--td-chart-${known >= 0 ? (known % CHART_COLOURS) + 1 : CHART_COLOURS}`;
}

export const total = (counts) => Object.values(counts ?? {}).reduce((sum, n) => sum + (Number(n) || 0), 0);

/**
 * The chart's hours: every UTC hour of the window, up to the one `as_of` is in, with the count of
 * each type (0 where the relay listed none). `{ hours: [epoch s], counts: { TYPE: [n …] } }`.
 */
export function hourlySeries(stats, types = messageTypes(stats)) {
  const given = new Map((stats?.per_hour ?? []).map((hour) => [hour.hour, hour.messages ?? {}]));
  const hours = new Set(given.keys());
  if (stats?.as_of && stats?.window_s) {
    const last = Math.floor(stats.as_of / HOUR_S) * HOUR_S;
    for (let hour = Math.floor((stats.as_of - stats.window_s) / HOUR_S) * HOUR_S; hour <= last; hour += HOUR_S) hours.add(hour);
  }
  const sorted = [...hours].sort((a, b) => a - b);
  const counts = Object.fromEntries(types.map((type) => [type, sorted.map((hour) => given.get(hour)?.[type] ?? 0)]));
  return { hours: sorted, counts };
}

/** Each type's bar top when the types are stacked in `types` order: the running sum, hour by hour. */
export function stacked(types, counts) {
  const running = [];
  return Object.fromEntries(types.map((type) => {
    const tops = counts[type].map((n, i) => (running[i] = (running[i] ?? 0) + n));
    return [type, tops];
  }));
}

export const formatCount = (n, locale) => new Intl.NumberFormat(locale).format(n ?? 0);

function unit(value, name, locale) {
  const digits = value < 10 && !Number.isInteger(value) ? 1 : 0;
  return new Intl.NumberFormat(locale, { style: 'unit', unit: name, unitDisplay: 'short', maximumFractionDigits: digits })
    .format(value);
}

/** "42 sec", "3.5 min", "2 hr", "3 days" (in the agent's language); '' for null. */
export function formatDuration(seconds, locale) {
  if (seconds == null) return '';
  if (seconds < 90) return unit(Math.round(seconds), 'second', locale);
  if (seconds < 90 * 60) return unit(Math.round(seconds / 6) / 10, 'minute', locale);
  if (seconds < 36 * HOUR_S) return unit(Math.round(seconds / 360) / 10, 'hour', locale);
  return unit(Math.round(seconds / 8640) / 10, 'day', locale);
}

/** "35 ms", "1.2 sec"; '' for null. */
export function formatMs(ms, locale) {
  if (ms == null) return '';
  if (ms < 1000) return unit(Math.round(ms), 'millisecond', locale);
  return ms < 90_000 ? unit(Math.round(ms / 100) / 10, 'second', locale) : formatDuration(ms / 1000, locale);
}

/** "14:05:09": when the figures were read. */
export const formatTime = (seconds, locale) =>
  new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit', second: '2-digit' }).format(new Date(seconds * 1000));

/** An hour of the chart: "14:00" for a window of a day or less, "Tue 14:00" for longer ones. */
export function formatHour(seconds, locale, spanS = 0) {
  const options = { hour: 'numeric', minute: '2-digit', ...(spanS > 24 * HOUR_S ? { weekday: 'short' } : {}) };
  return new Intl.DateTimeFormat(locale, options).format(new Date(seconds * 1000));
}
