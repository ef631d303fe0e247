import { defineStore } from 'pinia';
import { ref } from 'vue';

/** The real-time link's state: `connecting`, `connected` or `disconnected`. */
export const useConnectionStore = defineStore('connection', () => {
  const state = ref('disconnected');

  function set(next) {
    state.value = next;
  }

  return { state, set };
});
