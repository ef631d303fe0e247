import { describe, expect, it } from 'vitest';
import { i18n } from '../i18n/index.js';
import { avatarColour, avatarUrl, displayName, initials, profileName } from './useCustomer.js';

describe('customer display helpers', () => {
  it('joins first and last name', () => {
    expect(profileName({ first_name: 'Ana', last_name: 'García' })).toBe('Ana García');
    expect(profileName({ first_name: 'Ana', last_name: null })).toBe('Ana');
    expect(profileName(null)).toBe('');
  });

  it('makes initials from the names, else the username', () => {
    expect(initials({ first_name: 'ana', last_name: 'garcía' })).toBe('AG');
    expect(initials({ username: 'pepe' })).toBe('P');
    expect(initials({})).toBe('?');
    expect(initials({ first_name: '😀 Joy' })).toBe('😀');
  });

  it('gives each chat a stable colour among seven', () => {
    expect(avatarColour(7)).toBe(1);
    expect(avatarColour(-1001234)).toBe(avatarColour(-1001234));
    for (const id of [1, 2, 99, 123456789]) expect(avatarColour(id)).toBeGreaterThanOrEqual(1);
    expect(avatarColour(6)).toBe(7);
  });

  it('names a customer by profile, else @username, else by id', () => {
    const { t } = i18n.global;
    expect(displayName({ first_name: 'Ana', username: 'ana' }, 1, t)).toBe('Ana');
    expect(displayName({ username: 'pepe' }, 1, t)).toBe('@pepe');
    expect(displayName({}, 42, t)).toBe('Customer 42');
  });

  it('knows where the relay serves a chat\'s photo', () => {
    expect(avatarUrl(-100123)).toBe('/api/conversations/-100123/avatar');
    expect(avatarUrl(null)).toBeNull();
  });
});
