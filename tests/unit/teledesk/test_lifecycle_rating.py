"""teledesk.lifecycle.rating: the satisfaction buttons' callback_data, which no press can forge."""

from __future__ import annotations

import pytest

from teledesk.lifecycle.rating import Rating, button_data, is_rating, read_press
from teledesk.telegram.limits import MAX_CALLBACK_DATA_BYTES

SECRET = "webhook-secret_123"
CHAT = 5_123_456_789


def test_each_button_reads_back_as_its_rating():
    for stars in range(1, 6):
        data = button_data(Rating(CHAT, 3, stars), SECRET)
        assert is_rating(data)
        assert read_press(data, CHAT, SECRET) == Rating(CHAT, 3, stars)


def test_the_longest_ids_fit_telegram_s_64_bytes():
    data = button_data(Rating(-1_009_999_999_999, 9_999_999_999_999, 5), SECRET)  # longest chat id, opening in ms
    assert len(data.encode()) <= MAX_CALLBACK_DATA_BYTES


@pytest.mark.parametrize("edit", [
    lambda d: d.replace(":5:", ":1:"),  # other stars
    lambda d: d.replace(f":{CHAT}:", f":{CHAT + 1}:"),  # another customer's conversation
    lambda d: d.replace(":3:", ":2:"),  # an earlier opening of the same conversation
    lambda d: d[:-1] + ("A" if d[-1] != "A" else "B"),  # a signature guessed one character off
    lambda d: d.rsplit(":", 1)[0],  # no signature
    lambda d: d + ":extra",
    lambda d: "csat:" + "9" * 40,
    lambda d: d[:-2] + "é",  # not ASCII: refused, not an error
    lambda d: d + "0" * 100,  # longer than Telegram sends
    lambda d: "",
])
def test_a_press_that_was_edited_or_forged_rates_nothing(edit):
    data = button_data(Rating(CHAT, 3, 5), SECRET)
    assert read_press(edit(data), CHAT, SECRET) is None


def test_a_genuine_button_pressed_in_another_chat_or_signed_with_another_secret_rates_nothing():
    data = button_data(Rating(CHAT, 3, 4), SECRET)
    assert read_press(data, CHAT + 1, SECRET) is None
    assert read_press(data, CHAT, "another-desk-secret") is None


def test_stars_outside_one_to_five_and_an_empty_secret_are_refused():
    with pytest.raises(ValueError, match="1 to 5"):
        button_data(Rating(CHAT, 1, 6), SECRET)
    with pytest.raises(ValueError, match="TELEGRAM_WEBHOOK_SECRET"):
        button_data(Rating(CHAT, 1, 5), "")


def test_other_buttons_are_not_ratings():
    assert not is_rating("menu:help")
    assert read_press("menu:help", CHAT, SECRET) is None
