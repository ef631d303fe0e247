import { defineStore } from 'pinia';
import { ref } from 'vue';
import * as desk from '../api/desk.js';
import { COLOUR_KEY_PATTERN, COLOUR_PATTERN, MAX_THEME_NAME_LENGTH, RADIUS_PATTERN } from '../api/rules.js';

// What a theme value may look like before it reaches CSS: the relay's own rule for the theme file
// (api/rules.js), so a value that could close a declaration or a block (`;`, `}`) never gets through.
export const isColour = (value) => typeof value === 'string' && COLOUR_PATTERN.test(value.trim());
export const isLength = (value) => typeof value === 'string' && RADIUS_PATTERN.test(value.trim());

/** `{x: colour}` as `{'--td-x': colour}`, keeping only well-formed keys and colours. */
function colourVariables(colours) {
  const variables = {};
  if (!colours || typeof colours !== 'object') return variables;
  for (const [key, value] of Object.entries(colours)) {
    if (COLOUR_KEY_PATTERN.test(key) && isColour(value)) variables[`--td-${key}`] = value.trim();
  }
  return variables;
}

/**
 * The CSS variables a theme (the relay's `GET /api/theme`, docs/agent-api.md "Theme") sets:
 * `light` for every scheme (dark too, unless `dark` names the variable), `dark` for
 * `prefers-color-scheme: dark`. Anything malformed is left out, so the built-in look stays.
 */
export function themeVariables(theme) {
  const light = colourVariables(theme?.colors);
  if (isLength(theme?.radius)) {
    light['--td-radius'] = theme.radius.trim();
    light['--td-radius-bubble'] = theme.radius.trim();
  }
  return { light, dark: colourVariables(theme?.dark) };
}

/** The organisation's name, as plain text. */
function cleanName(name) {
  return typeof name === 'string' ? name.trim().slice(0, MAX_THEME_NAME_LENGTH) : '';
}

/** The logo's URL: only the relay's own (`/api/...`), like every other file the console shows. */
function cleanLogo(logo) {
  return typeof logo === 'string' && logo.startsWith('/api/') ? logo : null;
}

/** The organisation's look: fetched once at start (no session needed); the built-in look until then. */
export const useThemeStore = defineStore('theme', () => {
  const name = ref('');
  const logo = ref(null);
  const light = ref({});
  const dark = ref({});
  let loading = null;

  function take(theme) {
    name.value = cleanName(theme?.name);
    logo.value = cleanLogo(theme?.logo);
    ({ light: light.value, dark: dark.value } = themeVariables(theme));
  }

  function load() {
    loading ??= Promise.resolve()
      .then(() => desk.theme())
      .then(take)
      .catch(() => {}); // no theme: the built-in look is a fine answer
    return loading;
  }

  return { name, logo, light, dark, load };
});
