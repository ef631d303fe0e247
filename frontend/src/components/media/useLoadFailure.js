import { ref, watch } from 'vue';

/**
 * Whether a media element's file failed to load, for the URL it has now: a new URL (an upload's
 * local blob: preview replaced by the relay's /api/ file, say) gets its own chance to load.
 */
export function useLoadFailure(source) {
  const failed = ref(false);
  watch(source, () => {
    failed.value = false;
  });
  return failed;
}
