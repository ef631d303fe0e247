import { vi } from 'vitest';

/** A stand-in for a socket.io-client Socket: records handlers, lets a spec fire events. */
export function fakeSocket() {
  const handlers = new Map();
  const managerHandlers = new Map();
  return {
    active: true,
    on: vi.fn((name, handler) => handlers.set(name, handler)),
    off: vi.fn(() => handlers.clear()),
    connect: vi.fn(),
    disconnect: vi.fn(),
    io: {
      on: vi.fn((name, handler) => managerHandlers.set(name, handler)),
      off: vi.fn((name) => managerHandlers.delete(name)),
    },
    events: () => [...handlers.keys()],
    fire: (name, ...args) => handlers.get(name)?.(...args),
    fireManager: (name, ...args) => managerHandlers.get(name)?.(...args),
  };
}
