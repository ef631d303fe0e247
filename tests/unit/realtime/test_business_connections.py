"""realtime/business.py: the business connections the console reads, on fakes."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from relay_fakes import FakeStore

from teledesk.model import BusinessConnection, Customer

ACME = BusinessConnection(id="conn-acme", user=Customer(id=7000000001, first_name="Acme", last_name="Support"),
                          user_chat_id=7000000001, date=1_800_000_000, is_enabled=True, update_id=12,
                          rights={"can_reply": True, "can_read_messages": True, "can_delete_sent_messages": False})
REVOKED = BusinessConnection(id="conn-bodega", user=Customer(id=7000000002, first_name="Bodega"),
                             user_chat_id=7000000002, date=1_800_000_100, is_enabled=False, update_id=13)


def test_an_agent_reads_every_connection_with_its_account_rights_and_state(agent: FlaskClient, store: FakeStore):
    store.add_business_connection(ACME)
    store.add_business_connection(REVOKED)
    response = agent.get("/api/business/connections")
    assert response.status_code == 200
    connections = {c["id"]: c for c in response.get_json()["connections"]}
    assert connections.keys() == {"conn-acme", "conn-bodega"}
    acme = connections["conn-acme"]
    assert acme["user"] == {"id": 7000000001, "first_name": "Acme", "last_name": "Support"}
    assert acme["rights"] == {"can_reply": True, "can_read_messages": True, "can_delete_sent_messages": False}
    assert (acme["is_enabled"], acme["date"]) == (True, 1_800_000_000)
    assert connections["conn-bodega"]["is_enabled"] is False and connections["conn-bodega"]["rights"] == {}


def test_no_connection_is_an_empty_list(agent: FlaskClient):
    assert agent.get("/api/business/connections").get_json() == {"connections": []}


def test_without_a_session_it_is_a_401(app: Flask, store: FakeStore):
    store.add_business_connection(ACME)
    response = app.test_client().get("/api/business/connections")
    assert response.status_code == 401 and "conn-acme" not in response.get_data(as_text=True)
