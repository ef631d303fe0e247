"""The data the desk does not model, named once. What the desk stores is typed in teledesk.model;
these are the shapes that are open by nature and are read field by field where they are read."""

from __future__ import annotations

from typing import Any, TypeAlias

JSONObject: TypeAlias = dict[str, Any]
"""A JSON object as it arrives or leaves: a raw Bot API object (an Update), an envelope's extras,
a model's wire form, a request or event body, parsed YAML."""

Fields: TypeAlias = dict[str, Any]
"""A Firestore write: field names (or paths) to values of any Firestore type, sentinels included."""
