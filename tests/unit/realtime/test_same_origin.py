"""realtime/api.py `same_origin_writes`: changes come from the console's own origin."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

CHANGE = "/api/conversations/999/pending"  # a body-less POST: no CORS preflight would stop it


@pytest.mark.parametrize(("headers", "allowed"), [
    ({"Sec-Fetch-Site": "same-origin"}, True),
    ({"Sec-Fetch-Site": "none"}, True),  # typed in the address bar, a bookmark
    ({"Sec-Fetch-Site": "same-site"}, False),  # another port or a sibling subdomain
    ({"Sec-Fetch-Site": "cross-site"}, False),
    ({"Origin": "http://localhost"}, True),  # the test client's own host
    ({"Origin": "http://localhost:8082"}, False),
    ({}, True),  # not a browser: no cookie of an agent's browser to ride
])
def test_a_change_is_taken_only_from_the_consoles_own_origin(agent: FlaskClient, headers: dict, allowed: bool):
    status = agent.post(CHANGE, headers=headers).status_code
    assert (status != 403) is allowed
    if not allowed:
        assert agent.post(CHANGE, headers=headers).get_json() == {
            "error": "changes are only taken from the console's own origin"}


def test_reads_are_not_held_to_it(agent: FlaskClient):
    assert agent.get("/api/conversations", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 200


def test_every_write_under_api_is_held_to_it(app, agent: FlaskClient):
    writes = [(method, re.sub(r"<(?:[^>]*:)?\w+>", "12", rule.rule)) for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/")
              for method in sorted((rule.methods or set()) & {"POST", "PUT", "DELETE"})]
    assert len(writes) >= 20  # every family nested under the API's root
    for method, path in writes:
        response = agent.open(path, method=method, headers={"Sec-Fetch-Site": "cross-site"}, json={})
        assert (response.status_code, response.get_json()) == (
            403, {"error": "changes are only taken from the console's own origin"}), (method, path)
