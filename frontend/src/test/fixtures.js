// Small builders of the contract's shapes, for the specs.
export function conversation(chatId, overrides = {}) {
  return {
    chat_id: chatId,
    customer: { id: chatId, first_name: `Customer${chatId}`, last_name: null, username: null, language_code: 'es' },
    status: 'open',
    assignee: null,
    unread: 0,
    last_message: null,
    created_at: 1,
    updated_at: 100,
    blocked: false,
    ...overrides,
  };
}

export function message(id, overrides = {}) {
  return {
    id,
    type: 'CLIENT',
    chat_id: 1,
    date: 100,
    text: `text of ${id}`,
    media: null,
    customer: { id: 1, first_name: 'Ana' },
    direction: 'in',
    ...overrides,
  };
}
