"""Bot API errors in Telegram's own shape, so clients react to them as they would in production."""

from __future__ import annotations

from typing import Any

# What Telegram answers for each status when nothing more specific is known; used when a test
# injects a failure without a description.
DEFAULT_DESCRIPTIONS: dict[int, str] = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


class BotApiError(Exception):
    """A failed Bot API call: `{"ok": false, "error_code", "description", "parameters"?}`.

    Raised anywhere below a method handler and turned into a response in one place, so every
    failure looks the same to the client whatever part of the stand-in refused the call.
    """

    def __init__(self, error_code: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    @classmethod
    def bad_request(cls, detail: str) -> BotApiError:
        """400 with Telegram's "Bad Request: ..." prefix."""
        return cls(400, f"Bad Request: {detail}")

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.error_code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def default_description(error_code: int, retry_after: int | None = None) -> str:
    """Telegram's usual wording for a status, e.g. "Too Many Requests: retry after 3"."""
    if error_code == 429 and retry_after is not None:
        return f"Too Many Requests: retry after {retry_after}"
    return DEFAULT_DESCRIPTIONS.get(error_code, "Internal Server Error" if error_code >= 500 else "Bad Request")
