import { describe, expect, it } from 'vitest';
import cases from '../../../tests/fixtures/theme_and_search_cases.json';
import { themeVariables } from '../stores/theme.js';
import { matcher } from '../utils/search.js';

// The relay's theme and search rules as one table of cases, which its own test
// (tests/unit/realtime/test_console_agrees_with_the_api.py) runs through the relay: the console
// must answer each case as the relay does.
describe('the console applies the relay\'s rules (tests/fixtures/theme_and_search_cases.json)', () => {
  it.each(cases.colour)('a colour: %j is %s', (value, ok) => {
    expect('--td-accent' in themeVariables({ colors: { accent: value } }).light).toBe(ok);
    expect('--td-accent' in themeVariables({ dark: { accent: value } }).dark).toBe(ok);
  });

  it.each(cases.radius)('a radius: %j is %s', (value, ok) => {
    expect('--td-radius' in themeVariables({ radius: value }).light).toBe(ok);
  });

  it.each(cases.colour_key)('a colour key: %j is %s', (key, ok) => {
    expect(`--td-${key}` in themeVariables({ colors: { [key]: '#fff' } }).light).toBe(ok);
  });

  it.each(cases.search)('search: $query in $text is $found', ({ query, text, found }) => {
    expect(matcher(query)(text)).toBe(found);
  });
});
