"""`parse_mode=HTML` as Telegram applies it: markup becomes plain text plus entities.

A bot message's `text` never contains the markup; the customer sees formatted text, and the
Message the bot gets back carries entities with UTF-16 offsets. Unsupported tags and unclosed
tags are refused with "can't parse entities", so a desk that sends broken HTML finds out here
rather than in production. Markdown and MarkdownV2 are accepted but not parsed (see README).
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from .objects import utf16_length

PARSE_MODES = frozenset({"HTML", "Markdown", "MarkdownV2"})

# Tag name -> entity type (attributes refine `a`, `span`, `pre`/`code` and `blockquote`).
_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}


class EntityParseError(ValueError):
    """Markup Telegram would refuse; the message follows "Bad Request: can't parse entities: "."""


@dataclass
class _Open:
    tag: str
    entity: dict[str, Any]
    start: int  # UTF-16 offset into the plain text


class _HtmlToEntities(HTMLParser):
    """Collects plain text and closes an entity at each end tag; HTML entities are decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.length = 0
        self.stack: list[_Open] = []
        self.entities: list[dict[str, Any]] = []

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        self.length += utf16_length(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        entity = self._entity_for(tag, attributes)
        if tag == "code" and self.stack and self.stack[-1].tag == "pre":
            # <pre><code class="language-python"> is one pre entity with a language.
            language = attributes.get("class", "").removeprefix("language-")
            if language:
                self.stack[-1].entity["language"] = language
            self.stack.append(_Open(tag, {}, self.length))
            return
        self.stack.append(_Open(tag, entity, self.length))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1].tag != tag:
            raise EntityParseError(f'Unmatched end tag "{tag}"')
        opened = self.stack.pop()
        length = self.length - opened.start
        if opened.entity and length > 0:
            self.entities.append({**opened.entity, "offset": opened.start, "length": length})

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # Telegram has no self-closing tags (not even <br/>): newlines are written as newlines.
        raise EntityParseError(f'Unsupported start tag "{tag}"')

    @staticmethod
    def _entity_for(tag: str, attributes: dict[str, str]) -> dict[str, Any]:
        if tag == "a":
            href = attributes.get("href", "")
            if not href:
                raise EntityParseError('Can\'t find attribute "href" of tag "a"')
            return {"type": "text_link", "url": href}
        if tag == "span":
            if attributes.get("class") != "tg-spoiler":
                raise EntityParseError('Tag "span" must have class "tg-spoiler"')
            return {"type": "spoiler"}
        if tag == "tg-emoji":
            return {"type": "custom_emoji", "custom_emoji_id": attributes.get("emoji-id", "")}
        if tag == "blockquote" and "expandable" in attributes:
            return {"type": "expandable_blockquote"}
        if tag in _SIMPLE_TAGS:
            return {"type": _SIMPLE_TAGS[tag]}
        raise EntityParseError(f'Unsupported start tag "{tag}"')


def parse_html(markup: str) -> tuple[str, list[dict[str, Any]]]:
    """Plain text and its entities (sorted by offset, type first as Telegram lists them)."""
    parser = _HtmlToEntities()
    parser.feed(markup)
    parser.close()
    if parser.stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{parser.stack[-1].tag}"')
    entities = [
        {"type": e["type"], "offset": e["offset"], "length": e["length"]}
        | {k: v for k, v in e.items() if k not in ("type", "offset", "length")}
        for e in parser.entities
    ]
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(parser.text), entities
