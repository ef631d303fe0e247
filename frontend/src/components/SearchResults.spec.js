import { mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import * as desk from '../api/desk.js';
import { useConversationsStore } from '../stores/conversations.js';
import { conversation, message } from '../test/fixtures.js';
import SearchResults from './SearchResults.vue';

vi.mock('../api/desk.js');

const HOSTILE = '<img src=x onerror=alert(1)> refund';

function withHits(query, hits, extra = {}) {
  const store = useConversationsStore();
  Object.assign(store, { query, messageHits: hits, ...extra });
  return store;
}

const hits = (wrapper) => wrapper.findAll('[data-testid="search-message-hit"]');

describe('SearchResults', () => {
  it('shows nothing while the query is under two characters', () => {
    withHits('a', [message('m1', { text: 'a' })]);
    expect(mount(SearchResults).find('section').exists()).toBe(false);
  });

  it('lists the message hits with the chat name and the match marked', () => {
    const store = withHits('Refund', [
      message('m1', { chat_id: 3, text: 'I want a refund please' }),
      message('m2', { chat_id: 4, text: 'refund? REFUND!', customer: { id: 4, username: 'pepe' } }),
    ]);
    store.upsert(conversation(3, { customer: { id: 3, first_name: 'Ana', last_name: 'García' } }));
    const wrapper = mount(SearchResults);
    expect(wrapper.get('h2').text()).toBe('Messages');
    expect(hits(wrapper).map((hit) => hit.attributes('data-chat-id'))).toEqual(['3', '4']);
    expect(hits(wrapper)[0].get('.results__name').text()).toBe('Ana García');
    expect(hits(wrapper)[0].get('.results__text').text()).toBe('I want a refund please');
    expect(hits(wrapper)[0].findAll('mark').map((m) => m.text())).toEqual(['refund']);
    expect(hits(wrapper)[1].get('.results__name').text()).toBe('@pepe');
    expect(hits(wrapper)[1].findAll('mark').map((m) => m.text())).toEqual(['refund', 'REFUND']);
  });

  it('starts a long text near the match', () => {
    const text = `${'x'.repeat(80)} the word refund here`;
    withHits('refund', [message('m1', { chat_id: 3, text })]);
    const shown = mount(SearchResults).get('.results__text').text();
    expect(shown.startsWith('…')).toBe(true);
    expect(shown.endsWith('the word refund here')).toBe(true);
    expect(shown.length).toBeLessThan(text.length);
  });

  it('opens the conversation of a hit', async () => {
    desk.listMessages.mockResolvedValue({ messages: [] });
    desk.markRead.mockResolvedValue({});
    const store = withHits('hola', [message('m1', { chat_id: 8, text: 'hola' })]);
    store.upsert(conversation(8));
    const wrapper = mount(SearchResults);
    await hits(wrapper)[0].trigger('click');
    expect(store.activeChatId).toBe(8);
    expect(desk.listMessages).toHaveBeenCalledWith(8);
    expect(hits(wrapper)[0].attributes('aria-current')).toBe('true');
  });

  it('renders hostile text literally', () => {
    withHits('onerror', [message('m1', { chat_id: 3, text: HOSTILE, customer: { id: 3, first_name: HOSTILE } })]);
    const wrapper = mount(SearchResults);
    expect(wrapper.find('img').exists()).toBe(false);
    expect(wrapper.get('.results__text').text()).toBe(HOSTILE);
    expect(wrapper.get('.results__name').text()).toBe(HOSTILE);
  });

  it('says when it is searching, found nothing, or failed', async () => {
    const store = withHits('zz', [], { searching: true });
    const wrapper = mount(SearchResults);
    expect(wrapper.text()).toContain('Searching messages…');
    store.searching = false;
    await wrapper.vm.$nextTick();
    expect(wrapper.text()).toContain('No messages found');
    store.searchError = new Error('down');
    await wrapper.vm.$nextTick();
    expect(wrapper.get('[role="alert"]').text()).toBe('Could not search the messages.');
  });
});
