"""realtime/search.py: customers by name or @username, messages by text, on fakes."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from relay_fakes import CHAT_ID, FakeStore

import realtime.search


def search(agent: FlaskClient, q: str) -> Any:
    return agent.get("/api/search", query_string={"q": q})


def add_customer(store: FakeStore, chat_id: int, updated_at: float, **customer: Any) -> None:
    store.add_conversation(chat_id, customer={"id": chat_id, **customer}, updated_at=updated_at)


def add_text(store: FakeStore, chat_id: int, n: int, text: str, **fields: Any) -> None:
    store.add_message(chat_id, {"id": f"tg-{chat_id}-{n}", "chat_id": chat_id, "text": text, "stored_at": float(n),
                                **fields})


def test_conversations_are_found_by_first_or_last_name_or_username_ignoring_case(agent, store: FakeStore):
    add_customer(store, 1, 10.0, first_name="María", last_name="GARCÍA", username="mgarcia")
    add_customer(store, 2, 30.0, first_name="Pedro", username="pgarciaz")
    add_customer(store, 3, 20.0, first_name="Luis")
    found = search(agent, "garcí").get_json()
    assert [c["chat_id"] for c in found["conversations"]] == [1]
    assert [c["chat_id"] for c in search(agent, "GARCIA").get_json()["conversations"]] == [2, 1]  # usernames
    assert [c["chat_id"] for c in search(agent, "@pgar").get_json()["conversations"]] == [2]
    assert [c["chat_id"] for c in search(agent, "maría garcía").get_json()["conversations"]] == [1]
    assert search(agent, "zzz").get_json() == {"conversations": [], "messages": []}


def test_messages_are_found_by_text_newest_first_across_conversations(agent, store: FakeStore):
    store.add_conversation(7)
    add_text(store, CHAT_ID, 1, "¿Dónde está mi PEDIDO?")
    add_text(store, 7, 2, "el pedido llegó roto")
    add_text(store, CHAT_ID, 3, "gracias")
    add_text(store, 7, 4, "otro pedido", update={"update_id": 1})
    store.add_message(7, {"id": "m-without-text", "chat_id": 7, "stored_at": 5.0, "media": None})
    messages = search(agent, "Pedido").get_json()["messages"]
    assert [m["id"] for m in messages] == ["tg-7-4", "tg-7-2", f"tg-{CHAT_ID}-1"]
    assert all("update" not in m for m in messages)  # shown through message_view


def test_a_deleted_answer_is_not_found(agent, store: FakeStore):
    add_text(store, 7, 1, "el código es 4471", deleted=True)
    add_text(store, 7, 2, "otro código 4471")
    assert [m["id"] for m in search(agent, "4471").get_json()["messages"]] == ["tg-7-2"]


def test_a_file_found_by_its_caption_has_the_url_the_console_fetches_it_from(agent, store: FakeStore):
    add_text(store, CHAT_ID, 1, "la factura", media={"kind": "document", "file_id": "F1"})
    [found] = search(agent, "factura").get_json()["messages"]
    assert found["media"]["url"] == f"/api/conversations/{CHAT_ID}/messages/tg-{CHAT_ID}-1/media"


def test_the_scan_is_bounded_and_the_results_capped(agent, store: FakeStore, monkeypatch: pytest.MonkeyPatch):
    for n in range(1, 81):
        add_text(store, CHAT_ID, n, f"hola {n}")
    assert len(search(agent, "hola").get_json()["messages"]) == realtime.search.SEARCH_RESULTS == 50
    monkeypatch.setattr(realtime.search, "SEARCH_SCAN", 10)
    found = search(agent, "hola").get_json()["messages"]
    assert [m["text"] for m in found] == [f"hola {n}" for n in range(80, 70, -1)]  # only the 10 newest are read


@pytest.mark.parametrize("q", ["", "a", " a ", "x" * 101, " " + "x" * 100])
def test_a_query_under_2_or_over_100_characters_is_a_bad_request(agent: FlaskClient, q: str):
    response = search(agent, q)
    assert response.status_code == 400 and "error" in response.get_json()


def test_a_query_of_2_and_of_100_characters_is_fine(agent: FlaskClient):
    assert search(agent, "ab").status_code == search(agent, "x" * 100).status_code == 200


def test_search_needs_a_session(client: FlaskClient):
    assert search(client, "hola").status_code == 401
