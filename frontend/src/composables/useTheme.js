import { watch } from 'vue';
import { useThemeStore } from '../stores/theme.js';

export const DARK_STYLE_ID = 'td-theme-dark';

/**
 * The dark variables as one `prefers-color-scheme: dark` block. They are `!important` because
 * the light ones sit on `<html>`'s style attribute, which would otherwise win in dark mode too.
 * The values were validated by the theme store, so none can end the block.
 */
export function darkCss(dark) {
  const lines = Object.entries(dark).map(([name, value]) => `    ${name}: ${value} !important;`);
  return `@media (prefers-color-scheme: dark) {\n  :root {\n${lines.join('\n')}\n  }\n}\n`;
}

/** Put the theme's variables on the page: light on `<html>`, dark in one `<style>` element. */
export function applyTheme({ light, dark }, doc = document) {
  const root = doc.documentElement;
  Object.entries(light).forEach(([name, value]) => root.style.setProperty(name, value));
  let style = doc.getElementById(DARK_STYLE_ID);
  if (!Object.keys(dark).length) {
    style?.remove();
    return;
  }
  if (!style) {
    style = doc.createElement('style');
    style.id = DARK_STYLE_ID;
    doc.head.append(style);
  }
  style.textContent = darkCss(dark);
}

/** Fetch the organisation's theme once and apply it; its name becomes the page's title. */
export function useTheme() {
  const theme = useThemeStore();
  theme.load();
  watch(() => [theme.light, theme.dark], () => applyTheme(theme), { immediate: true });
  watch(() => theme.name, (name) => { if (name) document.title = name; }, { immediate: true });
  return theme;
}
