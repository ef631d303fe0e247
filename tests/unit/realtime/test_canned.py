"""realtime/canned.py: the team's canned responses, on fakes."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from relay_fakes import FakeStore, login


def add(agent: FlaskClient, shortcut: Any = "hola", text: Any = "¡Hola! ¿En qué te puedo ayudar?") -> Any:
    return agent.post("/api/canned", json={"shortcut": shortcut, "text": text})


def listed(agent: FlaskClient) -> list[dict[str, Any]]:
    return agent.get("/api/canned").get_json()["canned"]


def test_added_responses_are_listed_by_shortcut_with_only_their_public_fields(agent: FlaskClient, store: FakeStore):
    created = add(agent, "precio", "Cuesta 10 €")
    assert created.status_code == 201
    canned = created.get_json()["canned"]
    assert set(canned) == {"id", "shortcut", "text"} and canned["shortcut"] == "precio"
    add(agent, "envio", "Enviamos en 24 h")
    assert [(c["shortcut"], c["text"]) for c in listed(agent)] == [("envio", "Enviamos en 24 h"),
                                                                   ("precio", "Cuesta 10 €")]
    assert store.canned_docs[canned["id"]]["updated_by"] == "admin"


def test_a_shortcut_is_lower_cased_and_unique(agent: FlaskClient):
    assert add(agent, " Hola ").get_json()["canned"]["shortcut"] == "hola"
    taken = add(agent, "HOLA", "otro texto")
    assert taken.status_code == 409 and "taken" in taken.get_json()["error"]
    assert len(listed(agent)) == 1


@pytest.mark.parametrize(("shortcut", "text"), [
    ("", "texto"), ("con espacio", "texto"), ("/hola", "texto"), ("x" * 33, "texto"), ("ñu", "texto"), (5, "texto"),
    ("hola", ""), ("hola", "   "), ("hola", "x" * 4097), ("hola", None),
])
def test_invalid_fields_are_a_bad_request(agent: FlaskClient, shortcut, text):
    response = add(agent, shortcut, text)
    assert response.status_code == 400 and "error" in response.get_json()
    assert listed(agent) == []


def test_the_limits_are_accepted(agent: FlaskClient):
    assert add(agent, "a_b-9" + "x" * 27, "x" * 4096).status_code == 201
    assert add(agent, "z", "y").status_code == 201


def test_a_body_that_is_not_an_object_is_a_bad_request(agent: FlaskClient):
    assert agent.post("/api/canned", json=["hola"]).status_code == 400


def test_a_canned_response_is_changed_keeping_its_id(agent: FlaskClient):
    canned_id = add(agent).get_json()["canned"]["id"]
    add(agent, "adios", "¡Hasta luego!")
    changed = agent.put(f"/api/canned/{canned_id}", json={"shortcut": "saludo", "text": "Buenas"})
    assert changed.status_code == 200
    assert changed.get_json()["canned"] == {"id": canned_id, "shortcut": "saludo", "text": "Buenas"}
    same = agent.put(f"/api/canned/{canned_id}", json={"shortcut": "saludo", "text": "Buenas tardes"})
    assert same.status_code == 200  # keeping its own shortcut is not taking one
    clash = agent.put(f"/api/canned/{canned_id}", json={"shortcut": "adios", "text": "x"})
    assert clash.status_code == 409
    assert {c["shortcut"] for c in listed(agent)} == {"saludo", "adios"}


@pytest.mark.parametrize("canned_id", ["nope123", "..", "a.b"])
def test_an_unknown_id_is_404(agent: FlaskClient, canned_id: str):
    assert agent.put(f"/api/canned/{canned_id}", json={"shortcut": "x", "text": "y"}).status_code == 404
    assert agent.delete(f"/api/canned/{canned_id}").status_code == 404


def test_a_canned_response_is_deleted(agent: FlaskClient):
    canned_id = add(agent).get_json()["canned"]["id"]
    response = agent.delete(f"/api/canned/{canned_id}")
    assert (response.status_code, response.data) == (204, b"")
    assert listed(agent) == []
    assert agent.delete(f"/api/canned/{canned_id}").status_code == 404


def test_any_agent_manages_them(app, store: FakeStore):
    bob = app.test_client()
    assert login(bob, "bob", "bob-password").status_code == 200
    assert add(bob).status_code == 201


def test_canned_responses_need_a_session(client: FlaskClient):
    assert client.get("/api/canned").status_code == 401
    assert add(client).status_code == 401
