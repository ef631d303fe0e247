"""The agent API as an OpenAPI 3.1 document, served at /api/openapi.json."""

from typing import Any


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_UNAUTHORIZED = {"401": {"description": "No valid session"}}
_CHAT = [{"name": "chat_id", "in": "path", "required": True, "schema": {"type": "integer"}}]
_MESSAGE = {"name": "message_id", "in": "path", "required": True, "schema": {"type": "string"}}
_CHANGE = {"type": "object", "properties": {"change": {"type": "object", "properties": {
    "id": {"type": "string"}, "action": {"enum": ["edit", "delete"]}, "message_id": {"type": "string"},
    "revision": {"type": "integer"}}}}}


def _action(summary: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": summary, "parameters": _CHAT,
        "responses": {"200": _json({"type": "object", "properties": {"conversation": _ref("Conversation")}}),
                      "404": {"description": "No such conversation"}, **_UNAUTHORIZED},
    }
    if body:
        operation["requestBody"] = {"content": {"application/json": {"schema": body}}}
    return {"post": operation}


OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "teledesk agent API", "version": "1"},
    "paths": {
        "/api/health": {"get": {"summary": "200 once the relay is subscribed", "security": [],
                                 "responses": {"200": _json({"type": "object"}), "503": {"description": "Starting"}}}},
        "/api/login": {"post": {
            "summary": "Log in; sets the session cookie", "security": [],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["username", "password"],
                "properties": {"username": {"type": "string"}, "password": {"type": "string"}}}}}},
            "responses": {"200": _json({"type": "object", "properties": {"agent": _ref("Agent")}}),
                          "400": {"description": "Missing fields"}, "401": {"description": "Wrong credentials"}}}},
        "/api/logout": {"post": {"summary": "End the session", "responses": {"204": {"description": "Done"}}}},
        "/api/me": {"get": {"summary": "The logged-in agent",
                            "responses": {"200": _json({"type": "object", "properties": {"agent": _ref("Agent")}}),
                                          **_UNAUTHORIZED}}},
        "/api/conversations": {"get": {
            "summary": "Conversations, most recent activity first",
            "responses": {"200": _json({"type": "object", "properties": {
                "conversations": {"type": "array", "items": _ref("Conversation")}}}), **_UNAUTHORIZED}}},
        "/api/conversations/{chat_id}/messages": {
            "get": {"summary": "A conversation's messages, oldest first",
                    "parameters": [*_CHAT,
                                   {"name": "before", "in": "query", "schema": {"type": "number"}},
                                   {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 100}}],
                    "responses": {"200": _json({"type": "object", "properties": {
                        "messages": {"type": "array", "items": _ref("Message")}}}), **_UNAUTHORIZED}},
            "post": {"summary": "Answer the customer; client_id makes it idempotent", "parameters": _CHAT,
                     "requestBody": {"required": True, "content": {"application/json": {"schema": {
                         "type": "object", "required": ["text", "client_id"],
                         "properties": {"text": {"type": "string", "maxLength": 40960,
                                                 "description": "over 4,096 characters: sent as several messages, "
                                                                "cut at word boundaries"},
                                        "client_id": {"type": "string", "pattern": "^[A-Za-z0-9_-]{8,64}$"},
                                        "reply_to": {"type": "string",
                                                     "description": "a stored message id: the answer quotes it"}}}}}},
                     "responses": {"202": _json({"type": "object", "properties": {"message": _ref("Message")}},
                                                "Queued for delivery"),
                                   "400": {"description": "Invalid body"}, "404": {"description": "No such chat"},
                                   **_UNAUTHORIZED}}},
        "/api/conversations/{chat_id}/messages/{message_id}/edit": {"post": {
            "summary": "Edit one of the agents' sent text messages (not one sent in several parts)",
            "parameters": [*_CHAT, _MESSAGE],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["text"],
                "properties": {"text": {"type": "string", "maxLength": 4096}}}}}},
            "responses": {"202": _json(_CHANGE, "Queued; the new state comes as a `message` event"),
                          "400": {"description": "Invalid body, or a media or split message"},
                          "404": {"description": "No such outgoing message"},
                          "409": {"description": "Not sent yet"}, **_UNAUTHORIZED}}},
        "/api/conversations/{chat_id}/messages/{message_id}": {"delete": {
            "summary": "Delete one of the agents' sent messages for the customer (every part of a split one)",
            "parameters": [*_CHAT, _MESSAGE],
            "responses": {"202": _json(_CHANGE, "Queued; the new state (`deleted: true`) comes as a `message` event"),
                          "404": {"description": "No such outgoing message"},
                          "409": {"description": "Not sent yet"}, **_UNAUTHORIZED}}},
        "/api/conversations/{chat_id}/typing": {"post": {
            "summary": "Show 'typing…' to the customer; sent at most once per 4 s per chat",
            "parameters": _CHAT,
            "responses": {"202": _json({"type": "object", "properties": {"sent": {"type": "boolean"}}},
                                       "sent: false when throttled"),
                          "404": {"description": "No such conversation"}, **_UNAUTHORIZED}}},
        "/api/conversations/{chat_id}/media": {"post": {
            "summary": "Send a photo, document, voice note or video (kind from the MIME type unless given)",
            "parameters": _CHAT,
            "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                "type": "object", "required": ["file", "client_id"],
                "properties": {"file": {"type": "string", "format": "binary"},
                               "caption": {"type": "string", "maxLength": 1024},
                               "client_id": {"type": "string", "pattern": "^[A-Za-z0-9_-]{8,64}$"},
                               "kind": {"enum": ["photo", "document", "voice", "video"]}}}}}},
            "responses": {"202": _json({"type": "object", "properties": {"message": _ref("Message")}},
                                       "Queued for delivery"),
                          "400": {"description": "Invalid form"}, "404": {"description": "No such chat"},
                          "413": {"description": "Over 50 MB"}, **_UNAUTHORIZED}}},
        "/api/conversations/{chat_id}/assign": _action(
            "Assign to an agent (default: me)", {"type": "object", "properties": {"username": {"type": "string"}}}),
        "/api/conversations/{chat_id}/resolve": _action("Mark resolved"),
        "/api/conversations/{chat_id}/reopen": _action("Open again"),
        "/api/conversations/{chat_id}/read": _action("Mark read (unread back to 0)"),
        "/api/openapi.json": {"get": {"summary": "This document", "security": [],
                                       "responses": {"200": _json({"type": "object"})}}},
    },
    "components": {
        "securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": "session"}},
        "schemas": {
            "Agent": {"type": "object", "properties": {
                "username": {"type": "string"}, "name": {"type": "string"}, "role": {"enum": ["admin", "agent"]}}},
            "Customer": {"type": "object", "properties": {
                "id": {"type": "integer"}, "first_name": {"type": "string"}, "last_name": {"type": "string"},
                "username": {"type": "string"}, "language_code": {"type": "string"}}},
            "Conversation": {"type": "object", "properties": {
                "chat_id": {"type": "integer"}, "customer": _ref("Customer"),
                "status": {"enum": ["open", "pending", "resolved"]}, "assignee": {"type": ["string", "null"]},
                "unread": {"type": "integer"}, "last_message": {"type": ["object", "null"]},
                "created_at": {"type": "number"}, "updated_at": {"type": "number"},
                "first_response_at": {"type": ["number", "null"]}, "blocked": {"type": "boolean"}}},
            "Message": {"type": "object", "properties": {
                "id": {"type": "string"}, "type": {"enum": ["CLIENT", "AGENT", "BOT", "COMMAND", "CALLBACK",
                                                            "MEMBER", "UNSUPPORTED"]},
                "chat_id": {"type": "integer"}, "date": {"type": "integer"}, "text": {"type": "string"},
                "media": {"type": ["object", "null"]}, "customer": _ref("Customer"),
                "direction": {"enum": ["in", "out"]}, "client_id": {"type": "string"},
                "delivery": {"type": "object", "properties": {
                    "state": {"enum": ["queued", "sent", "failed"]}, "reason": {"type": ["string", "null"]}}},
                "trace": {"type": "object", "additionalProperties": {"type": "number"}}}},
        },
    },
    "security": [{"session": []}],
}


def _file(summary: str, parameters: list[dict[str, Any]]) -> dict[str, Any]:
    return {"get": {"summary": summary, "parameters": parameters, "responses": {
        "200": {"description": "The file, with its content type", "content": {"*/*": {}}},
        "404": {"description": "No such file"}, "413": {"description": '{"error": "too large to download"}'},
        "502": {"description": "Telegram could not be reached"}, **_UNAUTHORIZED}}}


OPENAPI["paths"].update({
    "/api/conversations/{chat_id}/messages/{message_id}/media": _file(
        "A message's file (through getFile, cached)",
        [*_CHAT, {"name": "message_id", "in": "path", "required": True, "schema": {"type": "string"}}]),
    "/api/conversations/{chat_id}/avatar": _file("The customer's profile photo (cached)", _CHAT),
})
