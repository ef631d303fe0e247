/**
 * What the media components share: which URLs may be shown, Telegram's download limit, and how
 * durations and sizes read. Customer data decides none of the URLs on its own (see fileUrl).
 */

/** getFile serves files up to 20 MB (teledesk/telegram/limits.py MAX_DOWNLOAD_BYTES). */
export const MAX_DOWNLOAD_BYTES = 20_000_000; // Telegram's 20 MB

/** The relay's own file URL, or null: never a javascript: or foreign link carried by a message. */
export function fileUrl(media) {
  const url = media?.url;
  return typeof url === 'string' && url.startsWith('/api/') ? url : null;
}

/** What an <img>/<video> may show: the relay's file, else the agent's local preview of an upload. */
export function previewUrl(media) {
  const local = media?.local_url;
  return fileUrl(media) || (typeof local === 'string' && local.startsWith('blob:') ? local : null);
}

/** Over Telegram's download limit: the relay answers 413, so the console says so up front. */
export const tooLarge = (media) => Number(media?.file_size) > MAX_DOWNLOAD_BYTES;

/** 7 → "0:07", 3725 → "1:02:05". */
export function formatDuration(seconds) {
  const total = Math.max(0, Math.round(Number(seconds) || 0));
  const [h, m, s] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  const pad = (n) => String(n).padStart(2, '0');
  return h ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

/** 184320 → "180 KB", in the console's language. */
export function formatSize(bytes, locale) {
  const size = Number(bytes);
  if (!Number.isFinite(size) || size <= 0) return '';
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'];
  const power = Math.min(units.length - 1, Math.floor(Math.log(size) / Math.log(1024)));
  const value = size / 1024 ** power;
  return new Intl.NumberFormat(locale, {
    style: 'unit', unit: units[power], unitDisplay: 'short', maximumFractionDigits: value < 10 && power ? 1 : 0,
  }).format(value);
}

/** The file name a message shows: Telegram's `file_name`, or the agent's upload's `filename`. */
export const fileName = (media) => media?.file_name || media?.filename || '';
