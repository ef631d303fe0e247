import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client.js';
import * as desk from '../api/desk.js';
import { useSessionStore } from './session.js';
import { TYPING_EVERY_MS, useTeamStore } from './team.js';

vi.mock('../api/desk.js');

const ana = { username: 'ana', name: 'Ana', role: 'admin', disabled: false };
const bob = { username: 'bob', name: 'Bob', role: 'agent', disabled: false };

function attached() {
  const connector = { emit: vi.fn(() => true) };
  const team = useTeamStore();
  team.attach(connector);
  return { team, connector };
}

afterEach(() => vi.useRealTimers());

describe('team store', () => {
  it('tells who else has a chat open, without me', () => {
    useSessionStore().agent = ana;
    const team = useTeamStore();
    team.setPresence({ chat_id: 5, agents: [{ username: 'ana', name: 'Ana', typing: false }, { username: 'bob', name: 'Bob', typing: true }] });
    expect(team.othersIn(5)).toEqual([{ username: 'bob', name: 'Bob', typing: true }]);
    expect(team.othersIn(6)).toEqual([]);
    team.setPresence({ chat_id: 5, agents: [] });
    expect(team.presence).toEqual({});
    team.setPresence({ chat_id: 7, agents: [bob] });
    team.clearPresence();
    expect(team.othersIn(7)).toEqual([]);
  });

  it('reports the open chat, and none', () => {
    const { team, connector } = attached();
    team.reportViewing(5);
    team.reportViewing(null);
    expect(connector.emit.mock.calls).toEqual([
      ['presence', { chat_id: 5, typing: false }],
      ['presence', { chat_id: null, typing: false }],
    ]);
  });

  it('reports typing at most every 2 s per chat', () => {
    vi.useFakeTimers();
    const { team, connector } = attached();
    team.reportTyping(5);
    team.reportTyping(5);
    vi.advanceTimersByTime(TYPING_EVERY_MS - 1);
    team.reportTyping(5);
    expect(connector.emit).toHaveBeenCalledTimes(1);
    team.reportTyping(6); // another chat is news at once
    vi.advanceTimersByTime(TYPING_EVERY_MS);
    team.reportTyping(6);
    expect(connector.emit.mock.calls).toEqual([
      ['presence', { chat_id: 5, typing: true }],
      ['presence', { chat_id: 6, typing: true }],
      ['presence', { chat_id: 6, typing: true }],
    ]);
  });

  it('tries typing again soon when the socket could not send it', () => {
    const { team, connector } = attached();
    connector.emit.mockReturnValueOnce(false);
    team.reportTyping(5);
    team.reportTyping(5);
    expect(connector.emit).toHaveBeenCalledTimes(2);
  });

  it('drops reports while no socket is attached', () => {
    const team = useTeamStore();
    expect(() => { team.reportViewing(5); team.reportTyping(5); }).not.toThrow();
  });

  it('loads the agents and names them', async () => {
    desk.listAgents.mockResolvedValue({ agents: [ana, bob] });
    const team = useTeamStore();
    await team.loadAgents();
    expect(team.agents).toEqual([ana, bob]);
    expect(team.nameOf('bob')).toBe('Bob');
    expect(team.nameOf('zoe')).toBe('zoe');
  });

  it('adds, disables, enables and resets agents, keeping the list current', async () => {
    desk.listAgents.mockResolvedValue({ agents: [ana] });
    desk.addAgent.mockResolvedValue({ agent: bob });
    desk.disableAgent.mockResolvedValue({ agent: { ...bob, disabled: true } });
    desk.enableAgent.mockResolvedValue({ agent: bob });
    desk.resetPassword.mockResolvedValue({ agent: bob });
    const team = useTeamStore();
    await team.loadAgents();

    const added = { username: 'bob', name: 'Bob', role: 'agent', password: 'longenough' };
    expect(await team.addAgent(added)).toBe(true);
    expect(desk.addAgent).toHaveBeenCalledWith(added);
    expect(team.agents.map((a) => a.username)).toEqual(['ana', 'bob']);

    await team.disableAgent('bob');
    expect(desk.disableAgent).toHaveBeenCalledWith('bob');
    expect(team.agents[1].disabled).toBe(true);
    await team.enableAgent('bob');
    expect(team.agents[1].disabled).toBe(false);
    await team.resetPassword('bob', 'newpassword');
    expect(desk.resetPassword).toHaveBeenCalledWith('bob', 'newpassword');
    expect(team.agents).toHaveLength(2);
  });

  it('keeps an admin call\'s error for the page to show', async () => {
    desk.addAgent.mockRejectedValue(new ApiError(409, 'that username is taken'));
    desk.enableAgent.mockResolvedValue({ agent: bob });
    const team = useTeamStore();
    expect(await team.addAgent({ username: 'bob' })).toBe(false);
    expect(team.adminError.message).toBe('that username is taken');
    await team.enableAgent('bob');
    expect(team.adminError).toBeNull();
  });

  it('drops the agents list and an admin answer that arrive after reset', async () => {
    let list;
    let added;
    desk.listAgents.mockImplementationOnce(() => new Promise((resolve) => { list = resolve; }));
    desk.addAgent.mockImplementationOnce(() => new Promise((resolve) => { added = resolve; }));
    const team = useTeamStore();
    const loading = team.loadAgents();
    const adding = team.addAgent({ username: 'bob' });
    team.reset();
    list({ agents: [ana, bob] });
    added({ agent: bob });
    await Promise.all([loading, adding]);
    expect(team.agents).toEqual([]);
  });

  it('forgets everything on reset', () => {
    const { team, connector } = attached();
    team.setPresence({ chat_id: 5, agents: [bob] });
    team.reset();
    team.reportViewing(5);
    expect(connector.emit).not.toHaveBeenCalled();
    expect(team.presence).toEqual({});
  });
});
