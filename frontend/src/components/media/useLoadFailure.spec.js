import { describe, expect, it } from 'vitest';
import { nextTick, ref } from 'vue';
import { useLoadFailure } from './useLoadFailure.js';

describe('useLoadFailure', () => {
  it('forgets a failure when the URL changes, not before', async () => {
    const url = ref('blob:http://x/1');
    const failed = useLoadFailure(url);
    expect(failed.value).toBe(false);
    failed.value = true;
    await nextTick();
    expect(failed.value).toBe(true);
    url.value = '/api/conversations/1/messages/m1/media';
    await nextTick();
    expect(failed.value).toBe(false);
  });
});
