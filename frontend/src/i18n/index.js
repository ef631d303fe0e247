import { createI18n } from 'vue-i18n';

/**
 * Messages live in one file per area of the console, `locale/<lang>/<area>.json` (as Chatwoot
 * keeps them), so each area's strings sit together; every file's top-level keys are merged.
 */
const files = import.meta.glob('./locale/*/*.json', { eager: true, import: 'default' });

export function loadMessages(modules = files) {
  const messages = {};
  for (const [path, content] of Object.entries(modules)) {
    const [, locale] = path.match(/locale\/([^/]+)\//);
    messages[locale] = { ...messages[locale], ...content };
  }
  return messages;
}

export const MESSAGES = loadMessages();

export const SUPPORTED_LOCALES = ['en', 'es'];
export const FALLBACK_LOCALE = 'en';
const STORAGE_KEY = 'teledesk.locale';

/** The first of the browser's languages that the console speaks, else English. */
export function detectLocale(languages = globalThis.navigator?.languages ?? [], saved = readSaved()) {
  if (SUPPORTED_LOCALES.includes(saved)) return saved;
  for (const tag of languages) {
    const base = String(tag).toLowerCase().split('-')[0];
    if (SUPPORTED_LOCALES.includes(base)) return base;
  }
  return FALLBACK_LOCALE;
}

function readSaved() {
  try {
    return globalThis.localStorage?.getItem(STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
}

export function createDeskI18n(locale = detectLocale()) {
  return createI18n({
    legacy: false,
    locale,
    fallbackLocale: FALLBACK_LOCALE,
    messages: MESSAGES,
  });
}

export const i18n = createDeskI18n();

/** Switch the language of the whole console and remember the choice. */
export function setLocale(locale, instance = i18n) {
  if (!SUPPORTED_LOCALES.includes(locale)) return;
  instance.global.locale.value = locale;
  if (globalThis.document) document.documentElement.lang = locale;
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, locale);
  } catch {
    // private mode: the choice lasts for this page only
  }
}
