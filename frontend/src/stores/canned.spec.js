import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client.js';
import * as desk from '../api/desk.js';
import { normaliseShortcut, useCannedStore } from './canned.js';

vi.mock('../api/desk.js');

const entry = (id, shortcut, text = `text of ${shortcut}`) => ({ id, shortcut, text });

async function loadedWith(list) {
  desk.listCanned.mockResolvedValue({ canned: list });
  const store = useCannedStore();
  await store.ensureLoaded();
  return store;
}

describe('canned store', () => {
  it('loads once, however many ask, sorted by shortcut', async () => {
    let answer;
    desk.listCanned.mockReturnValue(new Promise((resolve) => { answer = resolve; }));
    const store = useCannedStore();
    const first = store.ensureLoaded();
    const second = store.ensureLoaded();
    answer({ canned: [entry('2', 'thanks'), entry('1', 'hello')] });
    await Promise.all([first, second]);
    await store.ensureLoaded();
    expect(desk.listCanned).toHaveBeenCalledTimes(1);
    expect(store.items.map((c) => c.shortcut)).toEqual(['hello', 'thanks']);
    expect(store.loaded).toBe(true);
  });

  it('asks again after a failed load', async () => {
    desk.listCanned.mockRejectedValueOnce(new ApiError(0, 'network error'));
    const store = useCannedStore();
    await store.ensureLoaded();
    expect(store.loaded).toBe(false);
    expect(store.loadError).toBeInstanceOf(ApiError);
    desk.listCanned.mockResolvedValueOnce({ canned: [entry('1', 'hi')] });
    await store.ensureLoaded();
    expect(store.items).toHaveLength(1);
  });

  it('forgets everything on reset, even a list still on its way', async () => {
    let answer;
    desk.listCanned.mockReturnValue(new Promise((resolve) => { answer = resolve; }));
    const store = useCannedStore();
    const loading = store.ensureLoaded();
    store.reset();
    answer({ canned: [entry('1', 'old-session')] });
    await loading;
    expect(store.items).toEqual([]);
    expect(store.loaded).toBe(false);
  });

  it('adds, updates and removes, keeping the order', async () => {
    const store = await loadedWith([entry('1', 'hello')]);
    desk.addCanned.mockResolvedValue({ canned: entry('2', 'bye') });
    await store.add(' /Bye ', 'See you');
    expect(desk.addCanned).toHaveBeenCalledWith('bye', 'See you');
    expect(store.items.map((c) => c.shortcut)).toEqual(['bye', 'hello']);
    desk.updateCanned.mockResolvedValue({ canned: entry('2', 'zz', 'Later') });
    await store.update('2', 'zz', 'Later');
    expect(desk.updateCanned).toHaveBeenCalledWith('2', 'zz', 'Later');
    expect(store.items.map((c) => c.shortcut)).toEqual(['hello', 'zz']);
    desk.deleteCanned.mockResolvedValue(null);
    await store.remove('1');
    expect(store.items.map((c) => c.id)).toEqual(['2']);
  });

  it('passes the relay refusal on and keeps the list as it was', async () => {
    const store = await loadedWith([entry('1', 'hello')]);
    desk.addCanned.mockRejectedValue(new ApiError(409, 'shortcut taken'));
    await expect(store.add('hello', 'again')).rejects.toMatchObject({ status: 409 });
    expect(store.items).toHaveLength(1);
  });

  it('suggests shortcuts starting with the query first, then text matches', async () => {
    const store = await loadedWith([
      entry('1', 'address', 'Our store is at Main St.'),
      entry('2', 'hello', 'Hello! How can I help?'),
      entry('3', 'hours', 'We open 9 to 5'),
      entry('4', 'shipping', 'Shipping takes 2 days'),
    ]);
    expect(store.suggest('h').map((c) => c.shortcut)).toEqual(['hello', 'hours', 'shipping']);
    expect(store.suggest('ho').map((c) => c.shortcut)).toEqual(['hours', 'hello']); // "How can I"
    expect(store.suggest('hou').map((c) => c.shortcut)).toEqual(['hours']);
    expect(store.suggest('STORE').map((c) => c.shortcut)).toEqual(['address']);
    expect(store.suggest('').map((c) => c.shortcut)).toEqual(['address', 'hello', 'hours', 'shipping']);
    expect(store.suggest('zzz')).toEqual([]);
  });

  it('normalises shortcuts the way the relay stores them', () => {
    expect(normaliseShortcut('  /Hello_1 ')).toBe('hello_1');
  });
});
