"""realtime/app.py: the factory, and the built console served with a client-side-route fallback."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from realtime.app import Relay
from realtime.sessions import SESSION_LIFETIME

INDEX = "<!doctype html><div id=app></div>"


@pytest.fixture
def built(dist: Path) -> Path:
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text(INDEX)
    (dist / "assets" / "app.js").write_text("console.log('desk')")
    return dist


def test_the_factory_wires_the_given_fakes_and_no_subscriber(app: Flask, store, publisher):
    relay = app.extensions["teledesk"]
    assert isinstance(relay, Relay)
    assert (relay.store, relay.publisher, relay.subscriber) == (store, publisher, None)
    assert relay.manifest.relay_publishes == "agent-replies"
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.permanent_session_lifetime == SESSION_LIFETIME
    assert app.secret_key == "s" * 64


@pytest.mark.usefixtures("built")
@pytest.mark.parametrize("path", ["/", "/index.html", "/conversations/4242", "/login"])
def test_the_console_and_its_client_side_routes_get_index_html(client: FlaskClient, path: str):
    response = client.get(path)
    assert response.status_code == 200
    assert response.get_data(as_text=True) == INDEX


@pytest.mark.usefixtures("built")
def test_built_files_are_served_as_they_are(client: FlaskClient):
    response = client.get("/assets/app.js")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "console.log('desk')"


@pytest.mark.usefixtures("built")
@pytest.mark.parametrize("path", ["/api/nothing-here", "/api/conversations/x/messages"])
def test_unknown_api_paths_are_404_not_the_console(client: FlaskClient, path: str):
    response = client.get(path)
    assert response.status_code == 404
    assert INDEX not in response.get_data(as_text=True)


@pytest.mark.usefixtures("built")
def test_files_outside_the_build_are_not_served(client: FlaskClient, dist: Path):
    (dist.parent / "secret.txt").write_text("not for you")
    response = client.get("/%2e%2e/secret.txt")  # ../secret.txt exists, but outside the build
    assert response.status_code == 404
    assert "not for you" not in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/", "/conversations/4242"])
def test_an_unbuilt_console_is_503_with_how_to_build_it(client: FlaskClient, path: str):
    response = client.get(path)
    assert response.status_code == 503
    assert "make build" in response.get_data(as_text=True)


def test_the_api_works_without_a_built_console(client: FlaskClient):
    assert client.get("/api/health").status_code == 200
