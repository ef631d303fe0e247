import { useI18n } from 'vue-i18n';

const DAY = 24 * 60 * 60 * 1000;

const toDate = (seconds) => new Date(Number(seconds) * 1000);

function startOfDay(date) {
  const day = new Date(date);
  day.setHours(0, 0, 0, 0);
  return day;
}

/** "14:05": a bubble's time. */
export function formatClock(seconds, locale) {
  return new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' }).format(toDate(seconds));
}

/** The chat list's time, as Telegram shows it: the clock today, the weekday this week, else the date. */
export function formatListTime(seconds, locale, now = new Date()) {
  const date = toDate(seconds);
  const days = Math.round((startOfDay(now) - startOfDay(date)) / DAY);
  if (days <= 0) return formatClock(seconds, locale);
  if (days < 7) return new Intl.DateTimeFormat(locale, { weekday: 'short' }).format(date);
  const options = date.getFullYear() === now.getFullYear()
    ? { day: 'numeric', month: 'short' }
    : { day: '2-digit', month: '2-digit', year: '2-digit' };
  return new Intl.DateTimeFormat(locale, options).format(date);
}

/** The full date and time, for a title tooltip. */
export function formatFull(seconds, locale) {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(toDate(seconds));
}

/**
 * A countdown of `seconds` left, as a timer shows it: "4:59" under an hour, "1 h 02 m" from an
 * hour on (the minutes started count, so it never reads less than is left). Negative is 0:00.
 */
export function formatCountdown(seconds) {
  const left = Math.max(0, Math.ceil(Number(seconds) || 0));
  if (left < 3600) return `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
  const minutes = Math.ceil(left / 60);
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} m`;
}

/** The formatters above in the console's current language. */
export function useTimeFormat() {
  const { locale } = useI18n();
  // A date the browser can draw: a number too large for a Date (1e20) would throw in Intl.
  const valid = (seconds) => seconds != null && !Number.isNaN(new Date(Number(seconds) * 1000).getTime());
  return {
    clock: (seconds) => (valid(seconds) ? formatClock(seconds, locale.value) : ''),
    listTime: (seconds) => (valid(seconds) ? formatListTime(seconds, locale.value) : ''),
    full: (seconds) => (valid(seconds) ? formatFull(seconds, locale.value) : ''),
  };
}
