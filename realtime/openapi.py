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
        "/api/health": {"get": {"summary": "200 while every pull loop of the relay runs (the liveness probe)",
                                "security": [],
                                "responses": {"200": _json({"type": "object"}),
                                              "503": {"description": "A pull loop is down"}}}},
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
                                   {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 50}}],
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
                               "kind": {"enum": ["photo", "document", "voice", "video"]},
                               "reply_to": {"type": "string",
                                            "description": "a stored message id: the file quotes it"}}}}}},
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
                "direction": {"enum": ["in", "out", "note"]}, "client_id": {"type": "string"},
                "private": {"type": "boolean", "description": "a private note: agents only, never sent"},
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


# -- the team (realtime/team.py) --------------------------------------------------------------------
OPENAPI["components"]["schemas"]["TeamAgent"] = {"allOf": [_ref("Agent"), {
    "type": "object", "properties": {"disabled": {"type": "boolean"}}}]}
_TEAM_AGENT = _json({"type": "object", "properties": {"agent": _ref("TeamAgent")}})
_ADMIN_ONLY = {"403": {"description": "Not an admin"}, **_UNAUTHORIZED}
_USERNAME = [{"name": "username", "in": "path", "required": True, "schema": {"type": "string"}}]
_PASSWORD = {"type": "string", "minLength": 8, "maxLength": 256}


def _team_action(summary: str, body: dict[str, Any] | None = None, **responses: Any) -> dict[str, Any]:
    operation: dict[str, Any] = {"summary": summary, "parameters": _USERNAME, "responses": {
        "200": _TEAM_AGENT, "404": {"description": "No such agent"}, **responses, **_ADMIN_ONLY}}
    if body:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return {"post": operation}


OPENAPI["paths"].update({
    "/api/agents": {
        "get": {"summary": "The team, by username (any agent)", "responses": {
            "200": _json({"type": "object", "properties": {"agents": {"type": "array", "items": _ref("TeamAgent")}}}),
            **_UNAUTHORIZED}},
        "post": {"summary": "Add an agent (admin)",
                 "requestBody": {"required": True, "content": {"application/json": {"schema": {
                     "type": "object", "required": ["username", "name", "password"],
                     "properties": {"username": {"type": "string", "pattern": "^[a-z0-9_.-]{2,32}$"},
                                    "name": {"type": "string", "minLength": 1, "maxLength": 64},
                                    "role": {"enum": ["admin", "agent"], "default": "agent"},
                                    "password": _PASSWORD}}}}},
                 "responses": {"201": _json({"type": "object", "properties": {"agent": _ref("TeamAgent")}},
                                            "Created"),
                               "400": {"description": "Invalid body"}, "409": {"description": "Username taken"},
                               **_ADMIN_ONLY}},
    },
    "/api/agents/{username}/disable": _team_action(
        "Disable an agent (admin): their API calls answer 401, their sockets get `session_ended` and close",
        **{"400": {"description": "An admin cannot disable themself"}}),
    "/api/agents/{username}/enable": _team_action("Enable an agent again (admin)"),
    "/api/agents/{username}/password": _team_action(
        "Set an agent's password (admin)",
        {"type": "object", "required": ["password"], "properties": {"password": _PASSWORD}},
        **{"400": {"description": "Invalid password"}}),
})


# -- notes, pending, new conversation, retry, search, canned responses, theme (realtime/api.py, canned.py,
# theme.py) --------------------------------------------------------------------------------------------
_NOT_FOUND = {"404": {"description": "No such conversation"}}
_CANNED_BODY = {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "required": ["shortcut", "text"],
    "properties": {"shortcut": {"type": "string", "pattern": "^[a-z0-9_-]{1,32}$",
                                "description": "lower-cased; unique"},
                   "text": {"type": "string", "minLength": 1, "maxLength": 4096}}}}}}
_ONE_CANNED = {"type": "object", "properties": {"canned": _ref("Canned")}}
_CANNED_ID = [{"name": "canned_id", "in": "path", "required": True, "schema": {"type": "string"}}]
_NO_CANNED = {"404": {"description": "No such canned response"}}
OPENAPI["components"]["schemas"]["Canned"] = {"type": "object", "properties": {
    "id": {"type": "string"}, "shortcut": {"type": "string"}, "text": {"type": "string"}}}
OPENAPI["components"]["schemas"]["Theme"] = {"type": "object", "properties": {
    "name": {"type": ["string", "null"]}, "logo": {"type": ["string", "null"], "description": "/api/theme/logo"},
    "radius": {"type": ["string", "null"], "description": "e.g. 14px"},
    "colors": {"type": "object", "additionalProperties": {"type": "string"},
               "description": "key x: the CSS variable --td-x"},
    "dark": {"type": "object", "additionalProperties": {"type": "string"}}}}

OPENAPI["paths"].update({
    "/api/conversations/{chat_id}/notes": {"post": {
        "summary": "A private note for the agents: stored and emitted as a `message` (direction note), never "
                   "sent to Telegram; client_id makes it idempotent",
        "parameters": _CHAT,
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["text", "client_id"],
            "properties": {"text": {"type": "string", "maxLength": 4096},
                           "client_id": {"type": "string", "pattern": "^[A-Za-z0-9_-]{8,64}$"}}}}}},
        "responses": {"202": _json({"type": "object", "properties": {"message": _ref("Message")}}, "Stored"),
                      "400": {"description": "Invalid body"}, **_NOT_FOUND, **_UNAUTHORIZED}}},
    "/api/conversations/{chat_id}/messages/{message_id}/retry": {"post": {
        "summary": "Queue a failed answer again (same id); a `delivery` event says queued",
        "parameters": [*_CHAT, _MESSAGE],
        "responses": {"202": _json({"type": "object", "properties": {"message": _ref("Message")}}, "Queued"),
                      "404": {"description": "No such outgoing message"},
                      "409": {"description": "Not failed"}, **_UNAUTHORIZED}}},
    "/api/conversations/{chat_id}/pending": _action("Mark pending (waiting for the customer)"),
    "/api/conversations/{chat_id}/start": _action(
        "Start a new conversation with this customer: number + 1, open, assigned to me, unread 0, context cleared"),
    "/api/search": {"get": {
        "summary": "Conversations by customer name or @username, messages by text (case-insensitive, 50 each, "
                   "newest first; scans the 2,000 latest conversations and the 2,000 newest messages)",
        "parameters": [{"name": "q", "in": "query", "required": True,
                        "schema": {"type": "string", "minLength": 2, "maxLength": 100}}],
        "responses": {"200": _json({"type": "object", "properties": {
            "conversations": {"type": "array", "items": _ref("Conversation")},
            "messages": {"type": "array", "items": _ref("Message")}}}),
            "400": {"description": "q shorter than 2 or longer than 100 characters"}, **_UNAUTHORIZED}}},
    "/api/canned": {
        "get": {"summary": "Canned responses, by shortcut", "responses": {
            "200": _json({"type": "object", "properties": {"canned": {"type": "array", "items": _ref("Canned")}}}),
            **_UNAUTHORIZED}},
        "post": {"summary": "Add a canned response", "requestBody": _CANNED_BODY, "responses": {
            "201": _json(_ONE_CANNED, "Created"), "400": {"description": "Invalid body"},
            "409": {"description": "Shortcut taken"}, **_UNAUTHORIZED}}},
    "/api/canned/{canned_id}": {
        "put": {"summary": "Change a canned response", "parameters": _CANNED_ID, "requestBody": _CANNED_BODY,
                "responses": {"200": _json(_ONE_CANNED), "400": {"description": "Invalid body"},
                              "409": {"description": "Shortcut taken"}, **_NO_CANNED, **_UNAUTHORIZED}},
        "delete": {"summary": "Delete a canned response", "parameters": _CANNED_ID,
                   "responses": {"204": {"description": "Deleted"}, **_NO_CANNED, **_UNAUTHORIZED}}},
    "/api/theme": {"get": {"summary": "The organisation's look (DESK_THEME); the built-in one: nulls and {}",
                           "security": [], "responses": {"200": _json(_ref("Theme"))}}},
    "/api/theme/logo": {"get": {"summary": "The theme's logo (svg, png, jpeg or webp)", "security": [],
                                "responses": {"200": {"description": "The image", "content": {"image/*": {}}},
                                              "404": {"description": "The theme has no logo"}}}},
})
