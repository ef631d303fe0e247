import { describe, expect, it, vi } from 'vitest';
import { createReconnectService } from './reconnect.js';

function stores(activeChatId) {
  return {
    conversations: { activeChatId, fetchAll: vi.fn().mockResolvedValue() },
    messages: { fetch: vi.fn().mockResolvedValue() },
  };
}

describe('reconnect service', () => {
  it('refetches the list and the open conversation', async () => {
    const { conversations, messages } = stores(7);
    await createReconnectService({ conversations, messages }).refetch();
    expect(conversations.fetchAll).toHaveBeenCalledOnce();
    expect(messages.fetch).toHaveBeenCalledWith(7);
  });

  it('reads the business connections again', async () => {
    const { conversations, messages } = stores(null);
    const business = { load: vi.fn().mockResolvedValue() };
    await createReconnectService({ conversations, messages, business }).refetch();
    expect(business.load).toHaveBeenCalledOnce();
  });

  it('refetches only the list when no conversation is open', async () => {
    const { conversations, messages } = stores(null);
    await createReconnectService({ conversations, messages }).refetch();
    expect(conversations.fetchAll).toHaveBeenCalledOnce();
    expect(messages.fetch).not.toHaveBeenCalled();
  });
});
