"""teledesk/telegram/outbound.py: splitting long answers, pacing sends (on a fake clock)."""

from __future__ import annotations

import pytest

from teledesk.telegram.limits import MAX_MESSAGE_LENGTH, MESSAGES_PER_MINUTE_PER_GROUP
from teledesk.telegram.outbound import Pacer, split_text, utf16_length


def test_a_text_that_fits_is_one_part_as_it_is():
    assert split_text("  hola  ") == ["  hola  "]
    assert split_text("x" * MAX_MESSAGE_LENGTH) == ["x" * MAX_MESSAGE_LENGTH]


def test_a_long_text_is_cut_at_word_boundaries_and_keeps_every_word_in_order():
    words = [f"palabra{i}" for i in range(1500)]
    text = " ".join(words)
    parts = split_text(text)
    assert len(parts) > 1
    assert all(utf16_length(p) <= MAX_MESSAGE_LENGTH for p in parts)
    assert " ".join(parts).split(" ") == words  # no word cut, none lost, none reordered


def test_a_line_break_is_preferred_when_it_is_not_too_early():
    text = "a" * 3000 + "\n" + "b " * 600
    parts = split_text(text)
    assert parts[0] == "a" * 3000


def test_a_word_longer_than_a_message_is_cut_inside():
    parts = split_text("y" * 10_000)
    assert parts == ["y" * 4096, "y" * 4096, "y" * (10_000 - 8192)]


def test_lengths_are_counted_as_telegram_counts_them():
    parts = split_text("😀" * 3000)  # 6,000 UTF-16 units
    assert [len(p) for p in parts] == [2048, 952]
    assert all(utf16_length(p) <= MAX_MESSAGE_LENGTH for p in parts)


def test_small_limits_and_whitespace_runs():
    assert split_text("uno dos tres", limit=5) == ["uno", "dos", "tres"]
    assert split_text("uno      dos", limit=5) == ["uno", "dos"]
    with pytest.raises(ValueError):
        split_text("x", limit=0)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_one_message_per_second_per_chat():
    clock = FakeClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    assert [pacer.acquire(7) for _ in range(3)] == [0.0, pytest.approx(1.0), pytest.approx(1.0)]
    assert clock.now == pytest.approx(1002.0)


def test_other_chats_do_not_wait_for_each_other_up_to_the_overall_rate():
    clock = FakeClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    waits = [pacer.acquire(chat) for chat in range(30)]
    assert waits == [0.0] * 30
    assert pacer.acquire(30) == pytest.approx(1 / 30)  # the 31st in the same instant waits for the overall budget


def test_a_chat_that_rested_sends_at_once():
    clock = FakeClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    pacer.acquire(7)
    clock.now += 5
    assert pacer.acquire(7) == 0.0


def test_a_group_takes_its_minute_s_burst_then_one_message_every_three_seconds():
    clock = FakeClock()
    pacer = Pacer(per_chat=MESSAGES_PER_MINUTE_PER_GROUP / 60, burst=MESSAGES_PER_MINUTE_PER_GROUP, clock=clock,
                  sleep=clock.sleep)
    group = -1009000000001
    waits = [pacer.acquire(group) for _ in range(MESSAGES_PER_MINUTE_PER_GROUP)]
    assert waits == [0.0] * MESSAGES_PER_MINUTE_PER_GROUP and clock.now == 1000.0
    assert pacer.acquire(group) == pytest.approx(3.0)  # the 21st waits for the minute's budget to refill


def test_waiting_for_a_turn_takes_none_the_send_that_follows_takes_it_at_once():
    clock = FakeClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    assert pacer.wait_for_turn(7) == 0.0 and pacer.acquire(7) == 0.0  # the turn was left for the send
    assert pacer.wait_for_turn(7) == pytest.approx(1.0)  # the chat's next second
    assert pacer.acquire(7) == 0.0
