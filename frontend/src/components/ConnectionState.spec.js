import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { useConnectionStore } from '../stores/connection.js';
import ConnectionState from './ConnectionState.vue';

describe('ConnectionState', () => {
  it.each([
    ['connected', 'Connected'],
    ['connecting', 'Connecting…'],
    ['disconnected', 'Offline'],
  ])('shows %s', async (state, label) => {
    const wrapper = mount(ConnectionState);
    useConnectionStore().set(state);
    await wrapper.vm.$nextTick();
    const root = wrapper.get('[data-testid="connection-state"]');
    expect(root.attributes('data-state')).toBe(state);
    expect(root.text()).toBe(label);
  });
});
