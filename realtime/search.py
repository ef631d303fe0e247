"""Search: conversations by the customer's name or @username, messages by their text.

How a query matches is declared here, once, for the desk (the console narrows its list by the
same rule): case does not count; a letter typed without an accent finds it with or without one
("garcia" finds "García"), and one typed with an accent finds only that accent ("garcí" finds
"García", not "Garcia").

Firestore has no substring search, so the scan is bounded: the SEARCH_SCAN (2,000) conversations
with the latest activity, and the SEARCH_SCAN newest messages of all conversations (one
collection group query on `messages`), filtered here. Anything older is not found; at most
SEARCH_RESULTS of each, newest first.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from flask import Blueprint, Response, jsonify

from realtime.apispec import answers, declare
from realtime.auth import login_required
from realtime.relay import current_relay
from realtime.schemas import SearchAnswer, SearchQuery
from realtime.views import conversation_view, message_view
from teledesk.model import Agent, Conversation

SEARCH_SCAN = 2_000  # how many of the newest messages (and latest conversations) a search reads
SEARCH_RESULTS = 50
# Combining marks (accents, tildes, cedillas …) as NFD sets them apart from their letter.
MARKS = "[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"

search = Blueprint("search", __name__)


def _decomposed(text: str) -> str:
    return unicodedata.normalize("NFD", text.casefold())


def matcher(query: str) -> Callable[[str], bool]:
    """Whether a text holds `query`: case-insensitive; an unaccented letter of the query matches
    that letter with any accents, an accented one only itself."""
    pattern: list[str] = []
    for char in _decomposed(query):
        if unicodedata.combining(char):
            pattern[-1:] = [pattern[-1].removesuffix(f"{MARKS}*") + re.escape(char)] if pattern else [re.escape(char)]
        else:
            pattern.append(f"{re.escape(char)}{MARKS}*")
    compiled = re.compile("".join(pattern))
    return lambda text: compiled.search(_decomposed(text)) is not None


def _customer_text(conversation: Conversation) -> str:
    customer = conversation.customer
    name = " ".join(part or "" for part in (customer.first_name, customer.last_name)).strip()
    return f"{name}\n@{customer.username or ''}"


@search.get("/search")
@login_required
@declare(answers(200, SearchAnswer, 401))
def find(agent: Agent, query: SearchQuery) -> Response:
    """Conversations by customer name or @username, messages by text

    Case-insensitive, and a letter typed without an accent finds it with one; the newest first, from a
    bounded scan of the latest conversations and the newest messages (realtime/search.py).
    """
    matches = matcher(query.q)
    store = current_relay().store
    conversations = [c for c in store.conversations.latest(limit=SEARCH_SCAN) if matches(_customer_text(c))]
    messages = [m for m in store.messages.recent(SEARCH_SCAN)
                if not m.deleted and matches(m.text)]
    return jsonify(conversations=[conversation_view(c) for c in conversations[:SEARCH_RESULTS]],
                   messages=[message_view(m) for m in messages[:SEARCH_RESULTS]])
