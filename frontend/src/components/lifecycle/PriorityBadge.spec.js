import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { i18n } from '../../i18n/index.js';
import PriorityBadge from './PriorityBadge.vue';

const marker = (conversation, compact = false) => mount(PriorityBadge, { props: { conversation, compact } }).find('[data-testid="priority-badge"]');

describe('PriorityBadge', () => {
  it('says "High priority" with a flag when the priority is high', () => {
    const badge = marker({ chat_id: 1, priority: 'high' });
    expect(badge.attributes('data-priority')).toBe('high');
    expect(badge.text()).toBe('High priority');
    expect(badge.get('svg').attributes('data-icon')).toBe('flag');
    expect(badge.get('svg').attributes('aria-hidden')).toBe('true');
  });

  it('is the flag alone, named for screen readers, when compact', () => {
    const badge = marker({ chat_id: 1, priority: 'high' }, true);
    expect(badge.text()).toBe('');
    expect(badge.get('svg').attributes()).toMatchObject({ role: 'img', 'aria-label': 'High priority' });
    expect(badge.attributes('title')).toBe('High priority');
  });

  it.each([undefined, null, 'normal', 'urgent'])('shows nothing for a priority of %s', (priority) => {
    expect(marker({ chat_id: 1, priority }).exists()).toBe(false);
  });

  it('speaks Spanish', () => {
    i18n.global.locale.value = 'es';
    expect(marker({ chat_id: 1, priority: 'high' }).text()).toBe('Prioridad alta');
  });
});
