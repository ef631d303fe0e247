import { MARKS } from '../api/rules.js';

/**
 * How a query matches a text, as the relay's search does (realtime/search.py `matcher`, ported
 * step by step): case does not count; a letter typed without an accent finds it with or without
 * one ("garcia" finds "García"), one typed with an accent finds only that accent ("garcí" finds
 * "García", not "Garcia"). tests/fixtures/theme_and_search_cases.json holds the cases both sides pass.
 */

const ANY_MARKS = `${MARKS}*`;
const DOTLESS_I = 'ı';

/**
 * Python's `str.casefold`: lower, upper and lower again folds what it folds (ß and ẞ as ss, ſ as
 * s, ς as σ, the ligatures …); but JavaScript's upper case takes ı to I, which casefold keeps
 * apart from i, and its lower case writes a final Σ as ς, which casefold writes σ.
 */
const casefold = (text) => text.split(DOTLESS_I)
  .map((part) => part.toLowerCase().toUpperCase().toLowerCase())
  .join(DOTLESS_I)
  .replace(/ς/gu, 'σ');

const decomposed = (text) => casefold(String(text ?? '')).normalize('NFD');

/**
 * Python's `unicodedata.combining(char) != 0`, for one code point of a decomposed text: NFD puts
 * combining marks in the order of their class, so a mark goes before U+0345 (class 240, the
 * highest) unless it is U+0345's class too; a letter (class 0) never moves.
 */
const YPOGEGRAMMENI = '\u0345';
const combining = (char) => char === YPOGEGRAMMENI
  || `${YPOGEGRAMMENI}${char}`.normalize('NFD') !== `${YPOGEGRAMMENI}${char}`;

const escape = (char) => char.replace(/[\\^$.*+?()[\]{}|/]/gu, '\\$&');

/** Whether a text holds `query`, by the relay's rule (a function of the text). */
export function matcher(query) {
  const pattern = [];
  for (const char of decomposed(query)) {
    if (!combining(char)) {
      pattern.push(`${escape(char)}${ANY_MARKS}`);
    } else if (pattern.length) {
      // an accent typed: this letter with exactly the accents typed
      const letter = pattern.pop();
      pattern.push((letter.endsWith(ANY_MARKS) ? letter.slice(0, -ANY_MARKS.length) : letter) + escape(char));
    } else {
      pattern.push(escape(char));
    }
  }
  const compiled = new RegExp(pattern.join(''), 'u');
  return (text) => compiled.test(decomposed(text));
}
