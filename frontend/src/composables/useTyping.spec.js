import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ref } from 'vue';
import * as desk from '../api/desk.js';
import { useTeamStore } from '../stores/team.js';
import { CUSTOMER_EVERY_MS, useTyping } from './useTyping.js';

vi.mock('../api/desk.js');

describe('useTyping', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('tells the customer at most once per 4 s per chat, and the team on every keystroke', () => {
    desk.typing.mockResolvedValue({ sent: true });
    const team = useTeamStore();
    team.reportTyping = vi.fn();
    const chat = ref(1);
    const { typed } = useTyping(chat);
    typed();
    typed();
    vi.advanceTimersByTime(CUSTOMER_EVERY_MS - 1);
    typed();
    expect(desk.typing).toHaveBeenCalledTimes(1);
    chat.value = 2;
    typed();
    expect(desk.typing).toHaveBeenLastCalledWith(2);
    chat.value = 1;
    vi.advanceTimersByTime(1);
    typed();
    expect(desk.typing.mock.calls).toEqual([[1], [2], [1]]);
    expect(team.reportTyping).toHaveBeenCalledTimes(5);
    expect(team.reportTyping).toHaveBeenLastCalledWith(1);
  });

  it('swallows a failed typing call and does nothing without a chat', async () => {
    desk.typing.mockRejectedValue(new Error('offline'));
    useTeamStore().reportTyping = vi.fn();
    const chat = ref(null);
    const { typed } = useTyping(chat);
    typed();
    expect(desk.typing).not.toHaveBeenCalled();
    chat.value = 3;
    typed();
    await vi.runAllTimersAsync(); // an unhandled rejection would fail the run
    expect(desk.typing).toHaveBeenCalledWith(3);
  });
});
