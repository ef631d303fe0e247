import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { defineComponent, h, ref } from 'vue';
import { focusables, trapTab, useFocusReturn } from './useFocusReturn.js';

function panel(children) {
  const root = document.createElement('div');
  root.innerHTML = children;
  document.body.append(root);
  return root;
}

const tab = (shiftKey = false) => new KeyboardEvent('keydown', { key: 'Tab', shiftKey, cancelable: true });

enableAutoUnmount(afterEach);
afterEach(() => {
  document.body.innerHTML = '';
});

describe('trapTab', () => {
  it('cycles Tab and Shift+Tab through the panel\'s stops, from the last to the first and back', () => {
    const root = panel('<button id="a">a</button><button disabled>x</button><a id="b" href="/x">b</a><button id="c">c</button>');
    const [a, b, c] = ['a', 'b', 'c'].map((id) => document.getElementById(id));
    expect(focusables(root)).toEqual([a, b, c]);
    a.focus();
    const forward = tab();
    trapTab(root, forward);
    expect(forward.defaultPrevented).toBe(true);
    expect(document.activeElement).toBe(b);
    c.focus();
    trapTab(root, tab());
    expect(document.activeElement).toBe(a);
    trapTab(root, tab(true));
    expect(document.activeElement).toBe(c);
  });

  it('brings the focus back in from outside, and leaves other keys alone', () => {
    const root = panel('<button id="a">a</button><button id="b">b</button>');
    const outside = document.createElement('button');
    document.body.append(outside);
    outside.focus();
    trapTab(root, tab(true));
    expect(document.activeElement.id).toBe('b');
    const enter = new KeyboardEvent('keydown', { key: 'Enter', cancelable: true });
    trapTab(root, enter);
    expect(enter.defaultPrevented).toBe(false);
    expect(document.activeElement.id).toBe('b');
  });
});

describe('useFocusReturn', () => {
  const Panel = defineComponent({
    props: { marked: Boolean },
    setup(props) {
      const root = ref(null);
      useFocusReturn(root);
      return () => h('div', { ref: root }, [
        h('button', { id: 'first' }, 'first'),
        h('button', { id: 'close', 'data-autofocus': props.marked ? '' : undefined }, 'close'),
      ]);
    },
  });

  it('takes the focus on its first control, and gives it back on closing', async () => {
    const opener = document.createElement('button');
    document.body.append(opener);
    opener.focus();
    const wrapper = mount(Panel, { attachTo: document.body });
    await flushPromises();
    expect(document.activeElement.id).toBe('first');
    wrapper.unmount();
    expect(document.activeElement).toBe(opener);
  });

  it('takes the focus on the control marked data-autofocus', async () => {
    mount(Panel, { props: { marked: true }, attachTo: document.body });
    await flushPromises();
    expect(document.activeElement.id).toBe('close');
  });
});
