"""parse_mode=HTML: plain text plus entities, errors like Telegram's."""

from __future__ import annotations

import pytest

from devtools.standin.formatting import EntityParseError, parse_html


def test_nested_tags_and_character_references() -> None:
    text, entities = parse_html("<b>Hi <i>there</i></b> &amp; <u>you</u>")
    assert text == "Hi there & you"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 8},
        {"type": "italic", "offset": 3, "length": 5},
        {"type": "underline", "offset": 11, "length": 3},
    ]


def test_offsets_count_utf16_units() -> None:
    text, entities = parse_html("😀 <b>ok</b>")
    assert text == "😀 ok"
    assert entities == [{"type": "bold", "offset": 3, "length": 2}]


def test_links_spoilers_and_pre_with_language() -> None:
    text, entities = parse_html(
        '<a href="https://example.com">site</a> <span class="tg-spoiler">s</span> '
        '<pre><code class="language-python">x = 1</code></pre>'
    )
    assert text == "site s x = 1"
    assert entities == [
        {"type": "text_link", "offset": 0, "length": 4, "url": "https://example.com"},
        {"type": "spoiler", "offset": 5, "length": 1},
        {"type": "pre", "offset": 7, "length": 5, "language": "python"},
    ]


@pytest.mark.parametrize(
    ("markup", "error"),
    [
        ("<b>open", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<blink>x</blink>", 'Unsupported start tag "blink"'),
        ("<b>x</i>", 'Unmatched end tag "i"'),
        ("line<br/>break", 'Unsupported start tag "br"'),
        ("<a>x</a>", 'Can\'t find attribute "href" of tag "a"'),
    ],
)
def test_broken_markup_is_refused(markup: str, error: str) -> None:
    with pytest.raises(EntityParseError, match=error):
        parse_html(markup)
