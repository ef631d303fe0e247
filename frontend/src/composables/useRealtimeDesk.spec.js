import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { defineComponent, h } from 'vue';
import * as desk from '../api/desk.js';
import { useConversationsStore } from '../stores/conversations.js';
import { useSessionStore } from '../stores/session.js';
import { conversation } from '../test/fixtures.js';
import { useRealtimeDesk } from './useRealtimeDesk.js';

vi.mock('../api/desk.js');

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
    const connector = { connect: vi.fn(), disconnect: vi.fn() };
    const session = useSessionStore();
    const wrapper = host(() => connector);
    expect(connector.connect).not.toHaveBeenCalled();

    session.status = 'authenticated';
    await flushPromises();
    expect(connector.connect).toHaveBeenCalledOnce();
    expect(useConversationsStore().sorted).toHaveLength(1);

    session.expire();
    await flushPromises();
    expect(connector.disconnect).toHaveBeenCalledOnce();
    expect(useConversationsStore().sorted).toHaveLength(0);
    wrapper.unmount();
  });
});
