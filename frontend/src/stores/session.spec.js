import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client.js';
import * as desk from '../api/desk.js';
import { useSessionStore } from './session.js';

vi.mock('../api/desk.js');

const agent = { username: 'ana', name: 'Ana', role: 'agent' };

describe('session store', () => {
  it('restores a session the server still knows', async () => {
    desk.me.mockResolvedValue({ agent });
    const session = useSessionStore();
    expect(session.status).toBe('unknown');
    await session.restore();
    expect(session.isAuthenticated).toBe(true);
    expect(session.agent).toEqual(agent);
  });

  it('shows the login form when there is no session', async () => {
    desk.me.mockRejectedValue(new ApiError(401, 'login required'));
    const session = useSessionStore();
    await session.restore();
    expect(session.status).toBe('anonymous');
    expect(session.expired).toBe(false);
  });

  it('logs in and out', async () => {
    desk.login.mockResolvedValue({ agent });
    desk.logout.mockResolvedValue(null);
    const session = useSessionStore();
    await session.login('ana', 'pw');
    expect(session.isAuthenticated).toBe(true);
    await session.logout();
    expect(session.isAuthenticated).toBe(false);
    expect(session.agent).toBeNull();
  });

  it('does not tell a tab that logs out that it logged out in another tab', async () => {
    desk.login.mockResolvedValue({ agent });
    const session = useSessionStore();
    await session.login('ana', 'pw');
    // The relay ends this session's sockets (session_ended, logout) before its 204 arrives.
    desk.logout.mockImplementationOnce(async () => {
      session.expire('logout');
      return null;
    });
    await session.logout();
    expect(session.status).toBe('anonymous');
    expect(session.endReason).toBeNull();
  });

  it('keeps the session and says so when the logout does not reach the relay', async () => {
    desk.login.mockResolvedValue({ agent });
    desk.logout.mockRejectedValueOnce(new ApiError(0, 'network error'));
    const session = useSessionStore();
    await session.login('ana', 'pw');
    await expect(session.logout()).resolves.toBe(false);
    expect(session.isAuthenticated).toBe(true);
    expect(session.agent).toEqual(agent);
    expect(session.logoutError.message).toBe('network error');

    desk.logout.mockRejectedValueOnce(new ApiError(503, 'unavailable'));
    await session.logout();
    expect(session.isAuthenticated).toBe(true);
    expect(session.logoutError.status).toBe(503);

    desk.logout.mockResolvedValueOnce(null);
    await expect(session.logout()).resolves.toBe(true);
    expect(session.isAuthenticated).toBe(false);
    expect(session.logoutError).toBeNull();
  });

  it('signs out when the relay answers the logout with 401 (the session was gone already)', async () => {
    desk.login.mockResolvedValue({ agent });
    desk.logout.mockRejectedValueOnce(new ApiError(401, 'login required'));
    const session = useSessionStore();
    await session.login('ana', 'pw');
    await expect(session.logout()).resolves.toBe(true);
    expect(session.isAuthenticated).toBe(false);
    expect(session.logoutError).toBeNull();
    expect(session.expired).toBe(false);
  });

  it('lets a failed login throw for the form to show', async () => {
    desk.login.mockRejectedValue(new ApiError(401, 'wrong username or password'));
    const session = useSessionStore();
    await expect(session.login('ana', 'no')).rejects.toMatchObject({ status: 401 });
    expect(session.isAuthenticated).toBe(false);
  });

  it('remembers that a live session expired', async () => {
    desk.login.mockResolvedValue({ agent });
    const session = useSessionStore();
    await session.login('ana', 'pw');
    session.expire();
    expect(session.status).toBe('anonymous');
    expect(session.expired).toBe(true);
    await session.login('ana', 'pw');
    expect(session.expired).toBe(false);
  });

  it('remembers that an admin disabled the agent, and keeps that reason', async () => {
    desk.login.mockResolvedValue({ agent: { ...agent, role: 'admin' } });
    const session = useSessionStore();
    await session.login('ana', 'pw');
    expect(session.isAdmin).toBe(true);
    session.expire('disabled');
    session.expire(); // the refused socket and 401s that follow
    expect(session.isAuthenticated).toBe(false);
    expect(session.isAdmin).toBe(false);
    expect(session.endReason).toBe('disabled');
    expect(session.expired).toBe(true);
  });
});
