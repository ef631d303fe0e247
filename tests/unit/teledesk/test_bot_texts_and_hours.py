from datetime import UTC, datetime

import pytest

from teledesk.bot_texts import TEXTS, bot_text, language_for
from teledesk.business_hours import OpeningHours


@pytest.mark.parametrize(("code", "expected"), [("es", "es"), ("es-419", "es"), ("en", "en"), ("EN-gb", "en"),
                                                ("pt-br", "es"), (None, "es"), ("", "es")])
def test_the_customers_language_picks_the_text(code, expected):
    assert language_for(code, "es") == expected


def test_every_text_speaks_both_languages_with_the_same_blanks():
    for key, texts in TEXTS.items():
        assert set(texts) == {"es", "en"}, key
        blanks = [{part.split("}")[0] for part in text.split("{")[1:]} for text in texts.values()]
        assert blanks[0] == blanks[1], key


def test_texts_fill_their_blanks():
    assert bot_text("start", "en", name="Ana", organisation="ACME").startswith("Hi Ana! You have reached ACME")
    assert "Hola, Ana" in bot_text("start", "es-ES", name="Ana", organisation="ACME")


def test_opening_hours_in_their_time_zone():
    hours = OpeningHours("mon-fri 09:00-18:00; sat 10:00-14:00", "Europe/Madrid")
    # Wednesday 2026-11-25: Madrid is UTC+1 in winter
    assert hours.is_open(datetime(2026, 11, 25, 8, 30, tzinfo=UTC))  # 09:30 in Madrid
    assert not hours.is_open(datetime(2026, 11, 25, 7, 30, tzinfo=UTC))  # 08:30 in Madrid
    assert not hours.is_open(datetime(2026, 11, 25, 17, 0, tzinfo=UTC))  # 18:00 in Madrid: closed
    assert hours.is_open(datetime(2026, 11, 28, 12, 0, tzinfo=UTC))  # Saturday 13:00
    assert not hours.is_open(datetime(2026, 11, 29, 12, 0, tzinfo=UTC))  # Sunday


def test_no_hours_means_always_open_and_bad_hours_are_refused():
    assert OpeningHours("").is_open(datetime(2026, 11, 29, 3, 0, tzinfo=UTC))
    assert OpeningHours("fri-mon 20:00-23:00").is_open(datetime(2026, 11, 30, 21, 0, tzinfo=UTC))  # wraps
    with pytest.raises(ValueError):
        OpeningHours("weekdays 9-5")
    with pytest.raises(Exception):  # noqa: B017 - zoneinfo raises its own error type
        OpeningHours("mon 09:00-10:00", "Mars/Olympus")
