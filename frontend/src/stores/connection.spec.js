import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client.js';
import * as desk from '../api/desk.js';
import { ERROR_RECENT_S, PENDING_UPDATES_HIGH, useConnectionStore, webhookProblem } from './connection.js';

vi.mock('../api/desk.js');

const NOW = 1_700_000_000;

describe('connection store', () => {
  it('starts disconnected and follows the socket', () => {
    const connection = useConnectionStore();
    expect(connection.state).toBe('disconnected');
    connection.set('connected');
    expect(connection.state).toBe('connected');
  });

  it('reads the webhook\'s health, from a 503 too', async () => {
    const connection = useConnectionStore();
    desk.health.mockResolvedValue({ status: 'ok', telegram: { mode: 'webhook', pending_update_count: 0 } });
    await connection.checkHealth();
    expect(connection.telegram.pending_update_count).toBe(0);
    expect(connection.webhook).toBeNull();

    const report = { mode: 'webhook', pending_update_count: 500 };
    desk.health.mockRejectedValue(new ApiError(503, 'starting', { status: 'starting', telegram: report }));
    await connection.checkHealth();
    expect(connection.webhook).toEqual({ kind: 'pending', count: 500 });

    desk.health.mockRejectedValue(new ApiError(0, 'network error'));
    await connection.checkHealth();
    expect(connection.telegram).toEqual(report); // no news is not good news
  });
});

describe('webhookProblem', () => {
  it('reports a recent delivery error', () => {
    const telegram = { last_error_message: 'Connection refused', last_error_date: NOW - 60, pending_update_count: 2 };
    expect(webhookProblem(telegram, NOW)).toEqual({ kind: 'error', reason: 'Connection refused' });
    expect(webhookProblem({ last_error_message: 'Connection refused' }, NOW)).toEqual({ kind: 'error', reason: 'Connection refused' });
  });

  it('forgets an error Telegram only keeps as history', () => {
    const telegram = { last_error_message: 'Connection refused', last_error_date: NOW - ERROR_RECENT_S - 1, pending_update_count: 0 };
    expect(webhookProblem(telegram, NOW)).toBeNull();
  });

  it('reports many waiting updates, and Telegram out of reach', () => {
    expect(webhookProblem({ pending_update_count: PENDING_UPDATES_HIGH - 1 }, NOW)).toBeNull();
    expect(webhookProblem({ pending_update_count: PENDING_UPDATES_HIGH }, NOW)).toEqual({ kind: 'pending', count: PENDING_UPDATES_HIGH });
    expect(webhookProblem({ error: 'Telegram could not be reached: Timeout' }, NOW).kind).toBe('unreachable');
    expect(webhookProblem(null, NOW)).toBeNull();
  });
});
