// The console's lint: ESLint's and eslint-plugin-vue's recommended rules, and the house's own
// formatting as lint rules (@stylistic; no Prettier). `npm run lint` checks, `npm run lint:fix` mends.
import js from '@eslint/js';
import stylistic from '@stylistic/eslint-plugin';
import pluginVue from 'eslint-plugin-vue';
import globals from 'globals';

export default [
  { ignores: ['dist/**', 'node_modules/**'] },
  js.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.{js,vue}'],
    languageOptions: {
      ecmaVersion: 'latest',
      sourceType: 'module',
      globals: { ...globals.browser },
    },
    plugins: { '@stylistic': stylistic },
    rules: {
      // What reads as a mistake.
      'no-unused-vars': ['error', { args: 'after-used', ignoreRestSiblings: true, caughtErrors: 'none' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-var': 'error',
      'prefer-const': 'error',
      'vue/no-v-html': 'error', // customer text is data, never markup
      'vue/require-default-prop': 'off', // optional props default to undefined on purpose
      // Composer and Lightbox are the names the docs and the specs use; every other name has two words.
      'vue/multi-word-component-names': ['error', { ignores: ['Composer', 'Lightbox'] }],

      // The house style: two spaces, single quotes, semicolons, trailing commas in multi-line lists.
      '@stylistic/indent': ['error', 2, { SwitchCase: 1 }],
      '@stylistic/quotes': ['error', 'single', { avoidEscape: true, allowTemplateLiterals: 'always' }],
      '@stylistic/semi': ['error', 'always'],
      '@stylistic/comma-dangle': ['error', 'always-multiline'],
      '@stylistic/object-curly-spacing': ['error', 'always'],
      '@stylistic/array-bracket-spacing': ['error', 'never'],
      '@stylistic/arrow-parens': ['error', 'always'],
      '@stylistic/brace-style': ['error', '1tbs', { allowSingleLine: true }],
      '@stylistic/keyword-spacing': 'error',
      '@stylistic/space-before-blocks': 'error',
      '@stylistic/space-infix-ops': 'error',
      '@stylistic/comma-spacing': 'error',
      '@stylistic/key-spacing': 'error',
      '@stylistic/eol-last': 'error',
      '@stylistic/no-trailing-spaces': 'error',
      '@stylistic/no-multiple-empty-lines': ['error', { max: 1, maxEOF: 0 }],
      '@stylistic/max-len': ['error', {
        code: 140, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true,
      }],

      // Templates: the plugin's formatting, as the components are written (one-line elements and
      // attribute lists are fine while they stay short).
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
      'vue/html-self-closing': ['error', {
        html: { void: 'any', normal: 'never', component: 'always' },
        svg: 'always',
        math: 'always',
      }],
      'vue/html-indent': ['error', 2],
      'vue/html-quotes': ['error', 'double'],
      'vue/max-len': 'off',
    },
  },
  {
    // Config files, the specs and their set-up run in Node as well.
    files: ['*.config.js', 'src/test/**/*.js', 'src/**/*.spec.js'],
    languageOptions: { globals: { ...globals.node } },
  },
];
