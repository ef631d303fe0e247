"""The Telegram Update corpus in tests/fixtures/updates: one whole Update per kind, as Telegram posts it to a webhook.

Every file is checked against the Bot API's own type tables (api.json) with the stand-in's validator
(`standin.api_schema`), and with what that validator leaves out: which subtype of a union an object is (its
"type" or "status" says so, e.g. a MessageOrigin, ReactionType or ChatMember), the values a string field may take
where the documentation lists them (chat and entity types, reaction emoji...), and entity offsets in UTF-16 units.
The tests that need api.json skip without it, as the stand-in's own tests do.
"""

from __future__ import annotations

import copy
import json
import re
import unicodedata
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from standin.api_schema import API_JSON, _problems, assert_conforms

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "updates"
TELEGRAM_DOC = Path(__file__).resolve().parents[2] / "docs" / "telegram.md"
BOT_ID = 987654321
CUSTOMER_ID = 111111111

# Each fixture: the Update key it carries, and for messages the field that makes it that kind.
KINDS: dict[str, tuple[str, str | None]] = {
    "text": ("message", "text"),
    "photo": ("message", "photo"),
    "document": ("message", "document"),
    "video": ("message", "video"),
    "video_note": ("message", "video_note"),
    "voice": ("message", "voice"),
    "audio": ("message", "audio"),
    "animation": ("message", "animation"),
    "sticker": ("message", "sticker"),
    "location": ("message", "location"),
    "venue": ("message", "venue"),
    "contact": ("message", "contact"),
    "poll": ("message", "poll"),
    "dice": ("message", "dice"),
    "album_1": ("message", "photo"),
    "album_2": ("message", "photo"),
    "forwarded": ("message", "forward_origin"),
    "forwarded_hidden": ("message", "forward_origin"),
    "reply": ("message", "reply_to_message"),
    "edited_message": ("edited_message", "text"),
    "message_reaction": ("message_reaction", None),
    "start_deeplink": ("message", "text"),
    "help_command": ("message", "text"),
    "callback_query": ("callback_query", None),
    "my_chat_member_blocked": ("my_chat_member", None),
    "my_chat_member_unblocked": ("my_chat_member", None),
    "group_text": ("message", "text"),
    "unknown_kind": ("", None),  # any Update key the desk does not handle
    "service_message": ("message", "pinned_message"),
    "customer_with_unicode_name": ("message", "text"),
}
DESK_UPDATE_KEYS = {"message", "edited_message", "message_reaction", "callback_query", "my_chat_member"}
CONTENT_FIELDS = (
    "text", "photo", "document", "video", "video_note", "voice", "audio", "animation", "sticker", "location",
    "venue", "contact", "poll", "dice", "caption", "story", "game", "invoice", "paid_media", "checklist",
)
PRIMITIVES = {"Integer", "String", "Boolean", "True", "Float"}
ENUMERATING = re.compile(r"\b(always|can be|one of)\b", re.IGNORECASE)
NOT_ENUMERATING = re.compile(r"\b(for example|only for)\b", re.IGNORECASE)  # "available only for "x" transactions"
ENTITY_PREFIX = {"mention": "@", "hashtag": "#", "cashtag": "$", "bot_command": "/"}
FILE_ID = re.compile(r"^[A-Za-z0-9_-]{40,}$")
FILE_UNIQUE_ID = re.compile(r"^[A-Za-z0-9_-]{10,32}$")


def load(kind: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{kind}.json").read_text(encoding="utf-8"))


def message_of(update: dict[str, Any]) -> dict[str, Any]:
    return update.get("message") or update["edited_message"]


def need_api_json() -> None:
    if not API_JSON.is_file():
        pytest.skip(f"{API_JSON} not available")


# What the stand-in's validator does not check, read from the same tables.


@cache
def _types() -> dict[str, Any]:
    return json.loads(API_JSON.read_text(encoding="utf-8"))["types"]


def _field(type_name: str, name: str) -> dict[str, Any]:
    return next(f for f in _types()[type_name]["fields"] if f["name"] == name)


@cache
def _allowed(type_name: str, name: str) -> frozenset[str]:
    """The values the documentation lists for a string field ("always", "can be", "one of"), or none."""
    description = _field(type_name, name)["description"]
    if not ENUMERATING.search(description) or NOT_ENUMERATING.search(description):
        return frozenset()
    return frozenset(re.findall(r'"([^"]+)"', description))


@cache
def _tag(type_name: str) -> tuple[str, str] | None:
    """The field and value that mark a union's member, e.g. ("status", "kicked") for ChatMemberBanned."""
    for f in _types().get(type_name, {}).get("fields", []):
        found = re.search(r'always "([^"]+)"', f["description"])
        if f["types"] == ["String"] and found:
            return f["name"], found[1]
    return None


def _member(value: Any, union: str, where: str) -> tuple[str | None, list[str]]:
    members = _types()[union]["subtypes"]
    tags = {member: _tag(member) for member in members}
    if all(tags.values()) and isinstance(value, dict):
        key = next(iter(tags.values()))[0]
        named = [m for m, (field, tag) in tags.items() if value.get(field) == tag]
        if not named:
            return None, [f"{where}.{key}: {value.get(key)!r} names no subtype of {union}"]
        return named[0], _problems(value, named[0], where)
    fitting = [m for m in members if not _problems(value, m, where)]
    return (fitting[0] if fitting else None), []  # nothing fits: the stand-in's validator says so


def semantic_problems(value: Any, type_name: str, where: str) -> list[str]:
    if type_name.startswith("Array of "):
        items = value if isinstance(value, list) else []
        return [p for i, item in enumerate(items) for p in semantic_problems(item, type_name[9:], f"{where}[{i}]")]
    if type_name in PRIMITIVES:
        return []
    if "subtypes" in _types()[type_name]:
        member, problems = _member(value, type_name, where)
        return problems + (semantic_problems(value, member, where) if member else [])
    if not isinstance(value, dict):
        return []
    problems = []
    for f in _types()[type_name].get("fields", []):
        name = f["name"]
        if name not in value:
            continue
        allowed = _allowed(type_name, name) if f["types"] == ["String"] else frozenset()
        if allowed and value[name] not in allowed:
            problems.append(f"{where}.{name}: {value[name]!r} is not one of {sorted(allowed)}")
        fitting = next((t for t in f["types"] if not _problems(value[name], t, where)), None)
        if fitting:
            problems += semantic_problems(value[name], fitting, f"{where}.{name}")
    return problems


def _objects(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        value = list(value.values())
    if isinstance(value, list):
        for item in value:
            yield from _objects(item)


def entity_problems(update: dict[str, Any]) -> list[str]:
    """Entities lie inside their text, in UTF-16 code units, sorted, and cover what their type says."""
    problems = []
    for obj in _objects(update):
        for text_key, entities_key in (("text", "entities"), ("caption", "caption_entities")):
            if entities_key not in obj:
                continue
            units = str(obj.get(text_key, "")).encode("utf-16-le")
            offsets = [e.get("offset", 0) for e in obj[entities_key]]
            if offsets != sorted(offsets):
                problems.append(f"{entities_key}: not sorted by offset")
            for e in obj[entities_key]:
                start, end = 2 * e.get("offset", 0), 2 * (e.get("offset", 0) + e.get("length", 0))
                try:
                    covered = units[start:end].decode("utf-16-le")
                except UnicodeDecodeError:
                    problems.append(f"{entities_key}: {e} splits a character")
                    continue
                kind = e.get("type")
                if end > len(units) or not covered:
                    problems.append(f"{entities_key}: {e} covers {covered!r}")
                elif kind in ENTITY_PREFIX and not re.fullmatch(re.escape(ENTITY_PREFIX[kind]) + r"\S+", covered):
                    problems.append(f"{entities_key}: {e} covers {covered!r}, not a {kind}")
                elif kind == "url" and not re.fullmatch(r"(https?://)?[\w.-]+\.\w+\S*", covered):
                    problems.append(f"{entities_key}: {e} covers {covered!r}, not a url")
    return problems


def all_problems(update: Any) -> list[str]:
    return _problems(update, "Update", "Update") + semantic_problems(update, "Update", "Update") + entity_problems(
        update)


# The corpus as a whole


def test_the_corpus_has_a_file_for_every_kind_and_no_other() -> None:
    assert sorted(p.stem for p in FIXTURES.glob("*.json")) == sorted(KINDS)


def test_the_readme_says_what_each_file_is() -> None:
    readme = (FIXTURES / "README.md").read_text(encoding="utf-8")
    described = re.findall(r"`([\w-]+)\.json`", readme)
    assert sorted(described) == sorted(KINDS)


@pytest.mark.parametrize("type_name", ["Update", "Message"])
def test_docs_name_every_field(type_name: str) -> None:
    """docs/telegram.md says what the desk does with every Update type and every Message field."""
    need_api_json()
    named = set(re.findall(r"`(\w+)`", TELEGRAM_DOC.read_text(encoding="utf-8")))
    missing = [f["name"] for f in _types()[type_name]["fields"] if f["name"] not in named]
    assert not missing, f"{type_name} fields not in {TELEGRAM_DOC.name}: {missing}"


def test_update_ids_are_unique() -> None:
    ids = [load(kind)["update_id"] for kind in KINDS]
    assert len(set(ids)) == len(ids)


# Each fixture


@pytest.mark.parametrize("kind", KINDS)
def test_fixture_is_a_valid_update(kind: str) -> None:
    update = load(kind)
    assert_conforms(update, "Update")
    problems = semantic_problems(update, "Update", "Update") + entity_problems(update)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("kind", KINDS)
def test_fixture_carries_exactly_one_update_type(kind: str) -> None:
    update = load(kind)
    keys = set(update) - {"update_id"}
    assert len(keys) == 1, keys
    key, content = KINDS[kind]
    if key:
        assert keys == {key}
        if content:
            assert content in update[key]
    else:
        need_api_json()
        assert keys <= {f["name"] for f in _types()["Update"]["fields"]} - DESK_UPDATE_KEYS


@pytest.mark.parametrize("kind", KINDS)
def test_fixture_is_a_private_chat_with_the_bot(kind: str) -> None:
    update = load(kind)
    chats = [obj["chat"] for obj in _objects(update) if isinstance(obj.get("chat"), dict)]
    expected = "group" if kind == "group_text" else "private"
    assert all(chat["type"] == expected for chat in chats)
    for user in (obj for obj in _objects(update) if "is_bot" in obj):
        assert user["is_bot"] == (user["id"] == BOT_ID), user
    for message in (obj for obj in _objects(update) if {"message_id", "from", "chat", "date"} <= obj.keys()):
        assert 1_400_000_000 < message["date"] < message.get("edit_date", 4_000_000_000) < 4_000_000_001
        if expected == "private":
            assert message["from"]["id"] in (message["chat"]["id"], BOT_ID)
    for media in (obj for obj in _objects(update) if "file_id" in obj):
        assert FILE_ID.match(media["file_id"]) and FILE_UNIQUE_ID.match(media["file_unique_id"]), media


@pytest.mark.parametrize(("kind", "mutate", "complaint"), [
    ("text", lambda u: u["message"].update({"form": u["message"].pop("from")}), "not a field of Message"),
    ("photo", lambda u: u["message"]["photo"][0].pop("file_unique_id"), "required"),
    ("video", lambda u: u["message"]["video"].update(duration="14"), "expected Integer"),
    ("callback_query", lambda u: u["callback_query"].pop("chat_instance"), "required"),
    ("forwarded", lambda u: u["message"]["forward_origin"].update(type="hidden_user"), "sender_user_name: required"),
    ("message_reaction", lambda u: u["message_reaction"]["new_reaction"][0].pop("emoji"), "emoji: required"),
    ("message_reaction", lambda u: u["message_reaction"]["new_reaction"][0].update(emoji="🙂"), "not one of"),
    ("my_chat_member_blocked", lambda u: u["my_chat_member"]["new_chat_member"].update(status="banned"),
     "names no subtype of ChatMember"),
    ("my_chat_member_unblocked", lambda u: u["my_chat_member"]["old_chat_member"].pop("until_date"),
     "until_date: required"),
    ("group_text", lambda u: u["message"]["chat"].update(type="grupo"), "not one of"),
    ("start_deeplink", lambda u: u["message"]["entities"][0].update(type="command"), "not one of"),
    ("start_deeplink", lambda u: u["message"]["entities"][0].update(length=7), "covers '/start '"),
    ("photo", lambda u: u["message"]["caption_entities"][0].update(type="mention"), "not a mention"),
    ("customer_with_unicode_name", lambda u: u["message"].update(date=1781608520.5), "expected Integer"),
])
def test_a_mutated_fixture_is_refused(kind: str, mutate: Callable[[dict[str, Any]], Any], complaint: str) -> None:
    need_api_json()
    update = copy.deepcopy(load(kind))
    assert all_problems(update) == []
    mutate(update)
    assert any(complaint in p for p in all_problems(update)), all_problems(update)


# What particular kinds must show


def test_album_parts_share_a_media_group_in_sequence() -> None:
    first, second = load("album_1"), load("album_2")
    assert first["message"]["media_group_id"] == second["message"]["media_group_id"]
    assert second["update_id"] == first["update_id"] + 1
    assert second["message"]["message_id"] == first["message"]["message_id"] + 1
    assert first["message"]["chat"] == second["message"]["chat"]
    assert "caption" in first["message"] and "caption" not in second["message"]


def test_photo_lists_three_sizes_smallest_first_with_a_caption() -> None:
    message = load("photo")["message"]
    areas = [size["width"] * size["height"] for size in message["photo"]]
    assert len(areas) == 3 and areas == sorted(areas)
    assert message["caption"] and message["caption_entities"]


def test_text_has_a_url_and_a_bold() -> None:
    assert {e["type"] for e in load("text")["message"]["entities"]} == {"url", "bold"}


def test_edited_message_is_the_text_message_edited() -> None:
    original, edited = load("text")["message"], load("edited_message")["edited_message"]
    assert (edited["message_id"], edited["chat"], edited["date"]) == (
        original["message_id"], original["chat"], original["date"])
    assert edited["edit_date"] > edited["date"]
    assert edited["text"] != original["text"]


def test_reply_quotes_a_bot_message() -> None:
    message = load("reply")["message"]
    quoted = message["reply_to_message"]
    assert quoted["from"]["is_bot"] is True and quoted["from"]["id"] == BOT_ID
    assert quoted["message_id"] < message["message_id"] and quoted["chat"] == message["chat"]
    assert "reply_to_message" not in quoted


def test_forwards_keep_their_origin() -> None:
    assert load("forwarded")["message"]["forward_origin"]["type"] == "user"
    assert load("forwarded_hidden")["message"]["forward_origin"]["type"] == "hidden_user"


def test_reaction_is_a_thumbs_up_on_the_bot_message() -> None:
    reaction = load("message_reaction")["message_reaction"]
    assert reaction["old_reaction"] == [] and reaction["new_reaction"] == [{"type": "emoji", "emoji": "👍"}]
    assert reaction["message_id"] == load("reply")["message"]["reply_to_message"]["message_id"]


@pytest.mark.parametrize(("kind", "text", "length"), [("start_deeplink", "/start order_1234", 6),
                                                       ("help_command", "/help", 5)])
def test_commands(kind: str, text: str, length: int) -> None:
    message = load(kind)["message"]
    assert message["text"] == text
    assert message["entities"] == [{"offset": 0, "length": length, "type": "bot_command"}]


def test_callback_query_comes_from_a_bot_keyboard() -> None:
    query = load("callback_query")["callback_query"]
    assert query["data"] == "csat:5" and query["chat_instance"]
    assert query["message"]["from"]["id"] == BOT_ID
    buttons = [b for row in query["message"]["reply_markup"]["inline_keyboard"] for b in row]
    assert query["data"] in {b.get("callback_data") for b in buttons}


@pytest.mark.parametrize(("kind", "before", "after"), [("my_chat_member_blocked", "member", "kicked"),
                                                       ("my_chat_member_unblocked", "kicked", "member")])
def test_block_and_unblock(kind: str, before: str, after: str) -> None:
    change = load(kind)["my_chat_member"]
    assert (change["old_chat_member"]["status"], change["new_chat_member"]["status"]) == (before, after)
    assert change["old_chat_member"]["user"]["id"] == change["new_chat_member"]["user"]["id"] == BOT_ID
    assert change["from"]["id"] == change["chat"]["id"] == CUSTOMER_ID


def test_what_telegram_sets_twice() -> None:
    animation = load("animation")["message"]
    assert animation["document"]["file_id"] == animation["animation"]["file_id"]
    venue = load("venue")["message"]
    assert venue["location"] == venue["venue"]["location"]


def test_service_message_has_no_content() -> None:
    message = load("service_message")["message"]
    assert not set(CONTENT_FIELDS) & message.keys()


def test_unicode_customer() -> None:
    user = load("customer_with_unicode_name")["message"]["from"]
    name = user["first_name"]
    assert user["language_code"] == "es"
    assert any(unicodedata.bidirectional(c) in ("R", "AL") for c in name)
    assert any(unicodedata.category(c) == "So" and ord(c) > 0xFFFF for c in name)
