import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client.js';
import * as desk from '../api/desk.js';
import CannedManager from './CannedManager.vue';

vi.mock('../api/desk.js');
enableAutoUnmount(afterEach);

const HELLO = { id: 'c1', shortcut: 'hello', text: 'Hello! How can I help?' };

async function manager(list = [HELLO]) {
  desk.listCanned.mockResolvedValue({ canned: list });
  const wrapper = mount(CannedManager, { attachTo: document.body }); // a connected form submits on click
  await flushPromises();
  return wrapper;
}

const items = (wrapper) => wrapper.findAll('[data-testid="canned-item"]');

async function fill(wrapper, shortcut, text) {
  await wrapper.get('[data-testid="canned-shortcut"]').setValue(shortcut);
  await wrapper.get('[data-testid="canned-text"]').setValue(text);
  await wrapper.get('[data-testid="canned-add"]').trigger('click');
  await flushPromises();
}

describe('CannedManager', () => {
  it('lists the canned responses', async () => {
    const wrapper = await manager();
    expect(wrapper.get('[data-testid="canned-manager"]').exists()).toBe(true);
    expect(items(wrapper).map((i) => i.attributes('data-shortcut'))).toEqual(['hello']);
    expect(items(wrapper)[0].text()).toContain('Hello! How can I help?');
  });

  it('adds one, then empties the form', async () => {
    const wrapper = await manager();
    desk.addCanned.mockResolvedValue({ canned: { id: 'c2', shortcut: 'bye', text: 'Bye!' } });
    await fill(wrapper, '/Bye', 'Bye!');
    expect(desk.addCanned).toHaveBeenCalledWith('bye', 'Bye!');
    expect(items(wrapper).map((i) => i.attributes('data-shortcut'))).toEqual(['bye', 'hello']);
    expect(wrapper.get('[data-testid="canned-shortcut"]').element.value).toBe('');
  });

  it('checks the shortcut and the text before asking the relay', async () => {
    const wrapper = await manager();
    await fill(wrapper, 'no spaces', 'x');
    expect(wrapper.get('[role="alert"]').text()).toContain('a-z');
    await fill(wrapper, 'ok', '   ');
    expect(wrapper.get('[role="alert"]').text()).toContain('4096');
    expect(desk.addCanned).not.toHaveBeenCalled();
  });

  it('says when the shortcut is taken, keeping what was typed', async () => {
    const wrapper = await manager();
    desk.addCanned.mockRejectedValue(new ApiError(409, 'taken'));
    await fill(wrapper, 'hello', 'Again');
    expect(wrapper.get('[role="alert"]').text()).toContain('/hello is taken');
    expect(wrapper.get('[data-testid="canned-text"]').element.value).toBe('Again');
  });

  it('edits one in the form', async () => {
    const wrapper = await manager();
    await items(wrapper)[0].get('[data-testid="canned-edit"]').trigger('click');
    expect(wrapper.get('[data-testid="canned-shortcut"]').element.value).toBe('hello');
    expect(wrapper.get('[data-testid="canned-add"]').text()).toBe('Save');
    desk.updateCanned.mockResolvedValue({ canned: { ...HELLO, text: 'Hi!' } });
    await fill(wrapper, 'hello', 'Hi!');
    expect(desk.updateCanned).toHaveBeenCalledWith('c1', 'hello', 'Hi!');
    expect(items(wrapper)[0].text()).toContain('Hi!');
    expect(wrapper.get('[data-testid="canned-add"]').text()).toBe('Add');
  });

  it('deletes one', async () => {
    const wrapper = await manager();
    desk.deleteCanned.mockResolvedValue(null);
    await items(wrapper)[0].get('[data-testid="canned-delete"]').trigger('click');
    await flushPromises();
    expect(desk.deleteCanned).toHaveBeenCalledWith('c1');
    expect(items(wrapper)).toHaveLength(0);
    expect(wrapper.text()).toContain('No canned responses yet.');
  });
});
