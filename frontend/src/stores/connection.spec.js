import { describe, expect, it } from 'vitest';
import { useConnectionStore } from './connection.js';

describe('connection store', () => {
  it('starts disconnected and follows the socket', () => {
    const connection = useConnectionStore();
    expect(connection.state).toBe('disconnected');
    connection.set('connected');
    expect(connection.state).toBe('connected');
  });
});
