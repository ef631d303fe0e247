import { describe, expect, it } from 'vitest';
import { CLIENT_ID_PATTERN, newClientId } from './clientId.js';

describe('newClientId', () => {
  it('makes keys the relay accepts, different each time', () => {
    const a = newClientId();
    const b = newClientId();
    expect(a).toMatch(CLIENT_ID_PATTERN);
    expect(b).toMatch(CLIENT_ID_PATTERN);
    expect(a).not.toBe(b);
  });

  it('works without randomUUID (plain http on a LAN address)', () => {
    const id = newClientId({ getRandomValues: (arr) => globalThis.crypto.getRandomValues(arr) });
    expect(id).toMatch(CLIENT_ID_PATTERN);
    expect(id).toHaveLength(32);
  });
});
