import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { defineComponent, h } from 'vue';
import * as desk from '../api/desk.js';
import { useAttentionStore } from '../stores/attention.js';
import { useBusinessStore } from '../stores/business.js';
import { useComposerStore } from '../stores/composer.js';
import { useConversationsStore } from '../stores/conversations.js';
import { useSessionStore } from '../stores/session.js';
import { useTeamStore } from '../stores/team.js';
import { conversation } from '../test/fixtures.js';
import { useRealtimeDesk } from './useRealtimeDesk.js';

vi.mock('../api/desk.js');

const fakeConnector = () => ({ connect: vi.fn(), disconnect: vi.fn(), emit: vi.fn(() => true) });

/** A signed-in desk with chat 1 in the list, mounted; the relay answers what opening a chat asks. */
async function signedInWithChat(connector) {
  desk.listConversations.mockResolvedValue({ conversations: [conversation(1)] });
  desk.listMessages.mockResolvedValue({ messages: [] });
  desk.markRead.mockResolvedValue({});
  desk.listAgents.mockResolvedValue({ agents: [] });
  useSessionStore().status = 'authenticated';
  const wrapper = host(() => connector);
  await flushPromises();
  return wrapper;
}

function host(makeConnector) {
  return mount(defineComponent({
    setup() {
      useRealtimeDesk(makeConnector);
      return () => h('div');
    },
  }));
}

describe('useRealtimeDesk', () => {
  it('loads and connects while signed in, and forgets everything after', async () => {
    desk.listConversations.mockResolvedValue({ conversations: [conversation(1)] });
    desk.listAgents.mockResolvedValue({ agents: [{ username: 'bob', name: 'Bob', role: 'agent', disabled: false }] });
    desk.listBusinessConnections.mockResolvedValue({ connections: [{ id: 'conn-1', is_enabled: true, rights: {} }] });
    const connector = fakeConnector();
    const session = useSessionStore();
    const wrapper = host(() => connector);
    expect(connector.connect).not.toHaveBeenCalled();

    session.status = 'authenticated';
    await flushPromises();
    expect(connector.connect).toHaveBeenCalledOnce();
    expect(useConversationsStore().sorted).toHaveLength(1);
    expect(useTeamStore().nameOf('bob')).toBe('Bob');
    expect(useBusinessStore().connectionOf('conn-1')).not.toBeNull();
    useComposerStore().setText(1, 'a draft of mine');

    session.expire();
    await flushPromises();
    expect(connector.disconnect).toHaveBeenCalledOnce();
    expect(useConversationsStore().sorted).toHaveLength(0);
    expect(useTeamStore().agents).toEqual([]);
    expect(useBusinessStore().byId).toEqual({});
    expect(useComposerStore().draftFor(1).text).toBe(''); // the next agent on this browser starts clean
    wrapper.unmount();
  });

  it('tells the relay which chat this agent opens and leaves', async () => {
    const connector = fakeConnector();
    const wrapper = await signedInWithChat(connector);

    useConversationsStore().open(1);
    await flushPromises();
    useConversationsStore().close();
    await flushPromises();
    expect(connector.emit.mock.calls).toEqual([
      ['presence', { chat_id: 1, typing: false }],
      ['presence', { chat_id: null, typing: false }],
    ]);
    wrapper.unmount();
  });

  it('reads the open chat when the page becomes visible again, only while signed in', async () => {
    const wrapper = await signedInWithChat(fakeConnector());
    const session = useSessionStore();
    useConversationsStore().open(1);
    await flushPromises();
    desk.markRead.mockClear();

    const hidden = vi.spyOn(document, 'hidden', 'get').mockReturnValue(true);
    document.dispatchEvent(new Event('visibilitychange'));
    expect(desk.markRead).not.toHaveBeenCalled();
    hidden.mockReturnValue(false);
    document.dispatchEvent(new Event('visibilitychange'));
    expect(desk.markRead).toHaveBeenCalledExactlyOnceWith(1);

    session.expire();
    await flushPromises();
    useConversationsStore().activeChatId = 1; // even with a chat open, nothing is read once stopped
    document.dispatchEvent(new Event('visibilitychange'));
    expect(desk.markRead).toHaveBeenCalledOnce();
    wrapper.unmount();
  });

  it('stops listening for visibility when unmounted', async () => {
    desk.listConversations.mockResolvedValue({ conversations: [] });
    desk.listAgents.mockResolvedValue({ agents: [] });
    const connector = fakeConnector();
    useSessionStore().status = 'authenticated';
    const remove = vi.spyOn(document, 'removeEventListener');
    const wrapper = host(() => connector);
    await flushPromises();
    wrapper.unmount();
    expect(remove).toHaveBeenCalledWith('visibilitychange', expect.any(Function));
  });

  it('clears the attention store when the session ends', async () => {
    desk.listConversations.mockResolvedValue({ conversations: [] });
    desk.listAgents.mockResolvedValue({ agents: [] });
    const connector = fakeConnector();
    const session = useSessionStore();
    session.status = 'authenticated';
    const wrapper = host(() => connector);
    await flushPromises();
    const reset = vi.spyOn(useAttentionStore(), 'reset');
    session.expire();
    await flushPromises();
    expect(reset).toHaveBeenCalledOnce();
    wrapper.unmount();
  });
});
