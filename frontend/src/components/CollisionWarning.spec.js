import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { i18n } from '../i18n/index.js';
import { useSessionStore } from '../stores/session.js';
import { useTeamStore } from '../stores/team.js';
import CollisionWarning from './CollisionWarning.vue';

const me = { username: 'ana', name: 'Ana', typing: false };

function warning(agents) {
  useSessionStore().agent = { username: 'ana', name: 'Ana' };
  useTeamStore().setPresence({ chat_id: 5, agents });
  return mount(CollisionWarning, { props: { chatId: 5 } });
}

const found = (wrapper) => wrapper.find('[data-testid="collision-warning"]');

describe('CollisionWarning', () => {
  it('shows nothing when I am alone', () => {
    expect(found(warning([me])).exists()).toBe(false);
  });

  it('names the others viewing', () => {
    const wrapper = warning([me, { username: 'bea', name: 'Bea Ruiz', typing: false }, { username: 'cai', name: 'Cai', typing: false }]);
    expect(found(wrapper).text()).toBe('Bea Ruiz and Cai are also here');
    expect(found(wrapper).attributes('data-typing')).toBe('false');
  });

  it('says who is typing, and follows presence as it changes', async () => {
    const wrapper = warning([me, { username: 'bea', name: 'Bea Ruiz', typing: true }, { username: 'cai', name: 'Cai', typing: false }]);
    expect(found(wrapper).findAll('span').map((span) => span.text())).toEqual(['Bea Ruiz is typing a reply…', 'Cai is also here']);
    expect(found(wrapper).attributes('data-typing')).toBe('true');
    useTeamStore().setPresence({ chat_id: 5, agents: [me] });
    await wrapper.vm.$nextTick();
    expect(found(wrapper).exists()).toBe(false);
  });

  it('speaks Spanish, and shows a hostile name literally', () => {
    i18n.global.locale.value = 'es';
    const wrapper = warning([{ username: 'x', name: '<b>Eve</b>', typing: false }, { username: 'bea', name: 'Bea', typing: false }]);
    expect(found(wrapper).text()).toBe('<b>Eve</b> y Bea también están aquí');
    expect(wrapper.find('b').exists()).toBe(false);
  });
});
