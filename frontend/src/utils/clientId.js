import { CLIENT_ID_PATTERN } from '../api/rules.js';

/**
 * A fresh idempotency key for an outgoing message (matches CLIENT_ID_PATTERN).
 * `crypto.randomUUID` exists only in secure contexts (https, localhost); elsewhere the
 * same 122 random bits come from `crypto.getRandomValues`.
 */
export function newClientId(cryptoImpl = globalThis.crypto) {
  if (typeof cryptoImpl.randomUUID === 'function') return cryptoImpl.randomUUID();
  const bytes = cryptoImpl.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export { CLIENT_ID_PATTERN };
