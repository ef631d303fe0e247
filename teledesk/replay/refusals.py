"""What Pub/Sub refused during a replay, said so that an operator knows what to do next."""

from __future__ import annotations

import os

from google.api_core import exceptions as gexc


class ReplayError(RuntimeError):
    """A replay that Pub/Sub refused or that failed half-way; the message says what was done."""


def refused(action: str, exc: gexc.GoogleAPICallError) -> ReplayError:
    """`action` ("seek enrich-push to …") and why Pub/Sub said no, with the likely fix."""
    hint = ""
    if isinstance(exc, gexc.NotFound):
        hint = " Is GOOGLE_CLOUD_PROJECT (or --project) the desk's project, and the manifest deployed there?"
    elif isinstance(exc, gexc.PermissionDenied):
        hint = " The operator needs the roles docs/replay.md lists, on that subscription or topic."
    elif isinstance(exc, gexc.MethodNotImplemented) and os.environ.get("PUBSUB_EMULATOR_HOST"):
        hint = (" The Pub/Sub emulator does not seek a subscription with message ordering, which every step's push "
                "subscription has (measured; docs/replay.md). Google Cloud does.")
    return ReplayError(f"Pub/Sub refused to {action}: {exc.message or exc}.{hint}")
