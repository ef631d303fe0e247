"""Telegram Business connections as agents see them (teledesk/business.py): which business accounts
the bot is connected to, whether each connection is on, and what its rights let the desk do.

The console reads them once signed in (and again on every reconnect) and keeps them live with the
`business_connection` event; a conversation's `business.connection_id` names its connection.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from realtime.apispec import answers, declare
from realtime.auth import login_required
from realtime.relay import current_relay
from realtime.schemas import BusinessConnectionsAnswer
from teledesk.model import Agent

business = Blueprint("business", __name__)


@business.get("/business/connections")
@login_required
@declare(answers(200, BusinessConnectionsAnswer, 401))
def list_connections(agent: Agent) -> Response:
    """The business accounts' connections with the bot, as their last `business_connection` update said"""
    found = current_relay().store.business_connections.all()
    return jsonify(connections=[connection.wire() for connection in found])
