/**
 * What the console may have missed while its socket was down (in the manner of Chatwoot's
 * ReconnectService): the conversation list and the open conversation's messages are
 * fetched again and merged into the stores, which drop duplicates by id; the business
 * connections (`business`, when given) are read again whole.
 *
 * It runs on every `connect`, the first one included: events sent between the first
 * page load and the socket coming up would be lost otherwise.
 */
export function createReconnectService({ conversations, messages, business = null }) {
  return {
    async refetch() {
      const chatId = conversations.activeChatId;
      await Promise.all([
        conversations.fetchAll(),
        chatId == null ? null : messages.fetch(chatId),
        business?.load(),
      ]);
    },
  };
}
