/**
 * Answers that belong to a session that has ended. A store calls `current()` before it awaits
 * the relay and checks the returned function after: once `end()` has run (the store's reset(),
 * at logout), that answer is stale and must not refill the cleared store.
 *
 *   const live = guard.current();
 *   const answer = await desk.something();
 *   if (!live()) return;
 */
export function createSessionGuard() {
  let session = 0;
  return {
    current() {
      const asked = session;
      return () => asked === session;
    },
    end() {
      session += 1;
    },
  };
}
