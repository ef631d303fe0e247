import { describe, expect, it, vi } from 'vitest';
import * as desk from '../api/desk.js';
import { useBusinessStore } from './business.js';

vi.mock('../api/desk.js');

const acme = { id: 'conn-1', user: { id: 7, first_name: 'Acme' }, is_enabled: true, rights: { can_reply: true } };
const bodega = { id: 'conn-2', user: { id: 8, first_name: 'Bodega' }, is_enabled: false, rights: {} };

describe('business store', () => {
  it('loads every connection by id, replacing what it held', async () => {
    const business = useBusinessStore();
    business.upsert({ id: 'gone', is_enabled: true });
    desk.listBusinessConnections.mockResolvedValueOnce({ connections: [acme, bodega] });
    await business.load();
    expect(business.connectionOf('conn-1')).toEqual(acme);
    expect(business.connectionOf('conn-2').is_enabled).toBe(false);
    expect(business.connectionOf('gone')).toBeNull();
    expect(business.connectionOf(null)).toBeNull();
  });

  it('takes a connection\'s new state from the event', () => {
    const business = useBusinessStore();
    business.upsert(acme);
    business.upsert({ ...acme, is_enabled: false });
    expect(business.connectionOf('conn-1').is_enabled).toBe(false);
    business.upsert({ is_enabled: true }); // no id: nothing to key it by
    expect(Object.keys(business.byId)).toEqual(['conn-1']);
  });

  it('keeps what it held when the list cannot be read', async () => {
    const business = useBusinessStore();
    business.upsert(acme);
    const failure = new Error('network');
    desk.listBusinessConnections.mockRejectedValueOnce(failure);
    await business.load();
    expect(business.connectionOf('conn-1')).toEqual(acme);
    expect(business.loadError).toBe(failure);
  });

  it('drops a list that arrives after the session ended', async () => {
    const business = useBusinessStore();
    let answer;
    desk.listBusinessConnections.mockReturnValueOnce(new Promise((resolve) => { answer = resolve; }));
    const loading = business.load();
    business.reset();
    answer({ connections: [acme] });
    await loading;
    expect(business.byId).toEqual({});
  });
});
