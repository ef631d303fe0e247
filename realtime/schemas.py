"""The agent API's bodies, declared once: what each request may carry and what each answer holds.

These Pydantic models are the API's one declaration: the request validation (realtime/apispec.py,
spectree) checks requests against them and the OpenAPI document at /api/openapi.json is generated
from them, so a limit written here is the limit the relay applies and the one the document states.
Telegram's own limits come from `teledesk/telegram/limits.py`.

A field whose rule reads better in words than in a pattern says it (`said`): whatever is wrong with
it, the error is "<field> <rule>" ("client_id must be 8 to 64 letters, digits, '-' or '_'");
any other field answers Pydantic's words, after its name ("text: String should have at most
4096 characters").

The answers are declared with the stored model's types (`teledesk/model.py`): a conversation and a
message are answered as the model's documents in their wire form; the views of them that the API
makes (an agent's public face, a canned response's three fields, a change) are declared here.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    RootModel,
    StrictInt,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WithJsonSchema,
    WrapValidator,
    model_validator,
)
from pydantic_core import PydanticCustomError
from werkzeug.datastructures import FileStorage

from realtime.errors import rule_error
from teledesk import model
from teledesk.metrics.stats import DEFAULT_WINDOW, WINDOWS
from teledesk.model import MAX_USERNAME_LENGTH, USERNAME_PATTERN
from teledesk.open_data import JSONObject
from teledesk.telegram.limits import MAX_CAPTION_LENGTH, MAX_MESSAGE_LENGTH
from teledesk.telegram.outbound import MAX_ANSWER_LENGTH

# -- limits, each written once ---------------------------------------------------------------------

CLIENT_ID_LENGTH = (8, 64)
CLIENT_ID_PATTERN = rf"^[A-Za-z0-9_-]{{{CLIENT_ID_LENGTH[0]},{CLIENT_ID_LENGTH[1]}}}$"  # the idempotency key
PAGE_SIZE = 50  # a history page; the console asks for the one before when the agent scrolls up
MAX_NOTE_LENGTH = MAX_MESSAGE_LENGTH
MAX_ID_LENGTH = 256  # a stored message's id (`tg-<chat>-<n>`, `agent-<client_id>` …) with room to spare
# what the desk's message ids are made of, a letter or digit first: never "..", "__x__" or a "/"
# that Firestore would read as a path
MESSAGE_ID_PATTERN = rf"^[A-Za-z0-9][A-Za-z0-9_-]{{0,{MAX_ID_LENGTH - 1}}}$"
CHAT_ID_RANGE = (-(2**63), 2**63 - 1)  # Telegram's chat ids are signed 64-bit integers, as Firestore's
CANNED_ID_PATTERN = r"^[A-Za-z0-9]{1,64}$"  # Firestore's automatic ids
SEARCH_LENGTH = (2, 100)
MAX_NAME_LENGTH = 64
PASSWORD_LENGTH = (8, 256)
MAX_SHORTCUT_LENGTH = 32
SHORTCUT_PATTERN = rf"^[a-z0-9_-]{{1,{MAX_SHORTCUT_LENGTH}}}$"
SHORTCUT_TAKEN = rf"^\s*[A-Za-z0-9_-]{{1,{MAX_SHORTCUT_LENGTH}}}\s*$"  # before it is stripped and lower-cased
NOT_BLANK = r"\S"  # at least one character that is not white space

# The theme (realtime/theme.py): everything in it ends up in CSS custom properties, so values are
# held to what CSS colours and lengths look like, nothing that could close a declaration.
COLOR_KEY_PATTERN = r"^[a-z][a-z0-9-]{0,39}$"
_NUMBER = r"\d{1,3}(?:\.\d+)?%?"
COLOR_PATTERN = (r"^(?:#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})"
                 rf"|rgba?\(\s*{_NUMBER}(?:\s*,?\s*{_NUMBER}){{2}}(?:\s*[,/]\s*{_NUMBER})?\s*\))$")
RADIUS_PATTERN = r"^\d{1,2}(?:\.\d{1,2})?(?:px|rem)$"
MAX_THEME_NAME_LENGTH = 80
MAX_COLORS = 64
LOGO_URL = "/api/theme/logo"


class Rule(WrapValidator):
    """A field's rule in words (see `said`)."""


def said(rule: str) -> Rule:
    """Whatever is wrong with the field (its type, its length, its pattern, its absence), the error
    is its rule."""

    def check(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        try:
            return handler(value)
        except ValidationError:
            raise rule_error(rule) from None

    return Rule(check)


class Body(BaseModel):
    """A request's body or query: a required field with a rule answers its rule when it is missing too."""

    @model_validator(mode="before")
    @classmethod
    def _missing_breaks_the_rule(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        missing = {name: None for name, declared in cls.model_fields.items()
                   if name not in data and declared.is_required()
                   and any(isinstance(m, Rule) for m in declared.metadata)}
        return {**missing, **data} if missing else data


def _not_blank(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("string_blank", "String should not be blank")
    return value


def stripped(min_length: int, max_length: int) -> tuple[Any, ...]:
    """A text kept without the whitespace around it: at most `max_length` characters as sent (the
    declared limit is the one checked), at least `min_length` once stripped."""
    def strip(value: str) -> str:
        kept = value.strip()
        if len(kept) < min_length:
            raise PydanticCustomError("string_too_short", "String should have at least {min_length} characters"
                                      " besides spaces", {"min_length": min_length})
        return kept
    return Field(min_length=min_length, max_length=max_length), AfterValidator(strip)


def _stripped_lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def _empty_is_none(value: Any) -> Any:
    return None if value == "" else value


def _at_most_a_page(value: int) -> int:
    return min(value, PAGE_SIZE)


def _a_file(value: Any) -> FileStorage:
    if not isinstance(value, FileStorage) or not value.filename:
        raise PydanticCustomError("file_type", "Input should be a file (a multipart part with a file name)")
    return value


def _a_window(value: str) -> str:
    if value not in WINDOWS:
        raise PydanticCustomError("window", "Input should be one of the windows")
    return value


def _text(max_length: int) -> Any:
    return Field(min_length=1, max_length=max_length, json_schema_extra={"pattern": NOT_BLANK})


AnswerText = Annotated[str, _text(MAX_ANSWER_LENGTH), AfterValidator(_not_blank),
                       Field(description=f"over {MAX_MESSAGE_LENGTH:,} characters it goes out as several "
                                         "messages, cut at word boundaries")]
NoteText = Annotated[str, _text(MAX_NOTE_LENGTH), AfterValidator(_not_blank)]
CannedText = Annotated[str, _text(MAX_MESSAGE_LENGTH), AfterValidator(_not_blank)]
ClientId = Annotated[str, Field(pattern=CLIENT_ID_PATTERN, description="the idempotency key: a repeat is one message"),
                     said(f"must be {CLIENT_ID_LENGTH[0]} to {CLIENT_ID_LENGTH[1]} letters, digits, '-' or '_'")]
MessageId = Annotated[str, Field(pattern=MESSAGE_ID_PATTERN)]
Username = Annotated[str, Field(pattern=USERNAME_PATTERN),
                     said(f"must be 2 to {MAX_USERNAME_LENGTH} of a-z, 0-9, '_', '.' or '-', a letter or digit first")]
Password = Annotated[str, Field(min_length=PASSWORD_LENGTH[0], max_length=PASSWORD_LENGTH[1]),
                     said(f"must be {PASSWORD_LENGTH[0]} to {PASSWORD_LENGTH[1]} characters")]
MediaKind = Literal["photo", "document", "voice", "video"]
WINDOW_NAMES = f"{', '.join(list(WINDOWS)[:-1])} or {list(WINDOWS)[-1]}"  # "1h, 24h or 7d"
StatsWindow = Annotated[str, AfterValidator(_a_window), WithJsonSchema({"type": "string", "enum": list(WINDOWS)}),
                        said(f"must be {WINDOW_NAMES}")]
UploadedFile = Annotated[FileStorage, AfterValidator(_a_file), WithJsonSchema({"type": "string", "format": "binary"})]


# -- requests --------------------------------------------------------------------------------------

def _no_such_username(value: str) -> str:
    """A login's username that no agent can have is answered as a wrong one (401), and never
    reaches the store as a document id ("a/b", "..")."""
    return value if re.fullmatch(USERNAME_PATTERN, value) else ""


class Login(Body):
    username: Annotated[str, Field(max_length=MAX_USERNAME_LENGTH), AfterValidator(_no_such_username)]
    password: Annotated[str, Field(max_length=PASSWORD_LENGTH[1])]


class Reply(Body):
    """An answer to the customer."""

    text: AnswerText
    client_id: ClientId
    reply_to: MessageId | None = Field(None, description="a stored message id of this chat: the answer quotes it")


class NewNote(Body):
    """A private note for the agents: stored and shown, never sent to Telegram."""

    text: NoteText
    client_id: ClientId


class Edit(Body):
    text: Annotated[str, Field(max_length=MAX_MESSAGE_LENGTH,
                               description=f"a text message's new text (not blank), or a file's new caption "
                                           f"(may be empty; at most {MAX_CAPTION_LENGTH} characters)")]


class Upload(Body):
    """A photo, document, voice note or video, as multipart; `kind` follows the MIME type unless given."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    file: UploadedFile
    client_id: ClientId
    caption: Annotated[str, Field(max_length=MAX_CAPTION_LENGTH)] = ""
    kind: Annotated[MediaKind | None, BeforeValidator(_empty_is_none)] = None
    reply_to: Annotated[MessageId | None, BeforeValidator(_empty_is_none)] = Field(
        None, description="a stored message id of this chat: the file quotes it")


class Assign(Body):
    username: Username | None = Field(
        None, description="an active agent; default: me")


class MessagesQuery(Body):
    before: float | None = Field(None, allow_inf_nan=False,
                                 description="a message's `stored_at`: the page older than it")
    limit: Annotated[int, Field(ge=1, description=f"at most {PAGE_SIZE}; more is answered as {PAGE_SIZE}"),
                     AfterValidator(_at_most_a_page)] = PAGE_SIZE


class SearchQuery(Body):
    q: Annotated[str, *stripped(*SEARCH_LENGTH)] = Field(
        description="case-insensitive; a letter typed without an accent also finds it with one "
                    "(\"garcia\" finds \"García\"), one typed with an accent finds only that")


class StatsQuery(Body):
    window: StatsWindow = Field(DEFAULT_WINDOW, description="the span the figures cover, up to now")


class CannedFields(Body):
    # Declared as what is taken (any case, spaces around), checked as what is kept: the pattern
    # after a BeforeValidator is not in the JSON schema pydantic generates.
    shortcut: Annotated[str, BeforeValidator(_stripped_lower), Field(pattern=SHORTCUT_PATTERN),
                        WithJsonSchema({"type": "string", "pattern": SHORTCUT_TAKEN,
                                        "description": "lower-cased and stripped; unique"}),
                        said(f"must be 1 to {MAX_SHORTCUT_LENGTH} of a-z, 0-9, '_' or '-'")]
    text: CannedText


class NewAgent(Body):
    username: Username
    name: Annotated[str, *stripped(1, MAX_NAME_LENGTH), said(f"must be 1 to {MAX_NAME_LENGTH} characters")]
    role: Annotated[model.Role, said("must be 'admin' or 'agent'")] = model.Role.AGENT
    password: Password


class NewPassword(Body):
    password: Password


MAX_TELEGRAM_USER_ID = 2**52  # the Bot API: a user's id has at most 52 significant bits
TelegramUserId = Annotated[StrictInt, Field(gt=0, le=MAX_TELEGRAM_USER_ID)]


class TelegramLink(Body):
    telegram_id: Annotated[TelegramUserId, said("must be a Telegram user id (a positive whole number)")]


# -- answers ---------------------------------------------------------------------------------------

class ErrorBody(BaseModel):
    error: str = Field(description="a plain sentence; a refused request names each field that is wrong")


class AgentView(BaseModel):
    """What anyone may see of an agent (`teledesk.model.Agent.public`)."""

    username: str
    name: str
    role: model.Role


class TeamAgent(AgentView):
    disabled: bool
    telegram_id: int | None = Field(None, description="their Telegram account: what they write in the staff forum")


class Change(BaseModel):
    id: str
    action: Literal["edit", "delete"]
    message_id: str
    revision: int


class Canned(BaseModel):
    id: str
    shortcut: str
    text: str


ColorKey = Annotated[str, Field(pattern=COLOR_KEY_PATTERN)]
Color = Annotated[str, Field(pattern=COLOR_PATTERN)]
Colors = Annotated[dict[ColorKey, Color], Field(max_length=MAX_COLORS)]


class Theme(BaseModel):
    """The organisation's look (`DESK_THEME`); the built-in one: nulls and {}."""

    name: Annotated[str, Field(min_length=1, max_length=MAX_THEME_NAME_LENGTH)] | None = None
    logo: str | None = Field(None, description=f"{LOGO_URL} when the theme has a logo")
    radius: Annotated[str, Field(pattern=RADIUS_PATTERN, description="e.g. 14px or 0.75rem")] | None = None
    colors: Colors = Field(default_factory=dict, description="key x: the CSS variable --td-x")
    dark: Colors = Field(default_factory=dict, description="the same, under prefers-color-scheme: dark")


class Pull(BaseModel):
    alive: bool
    error: str | None


class TelegramStatus(BaseModel):
    """`mode`, and what Telegram says of the webhook (getWebhookInfo's names), or why it could not say."""

    mode: Literal["webhook", "polling"]
    url: str | None = None
    pending_update_count: int | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None
    max_connections: int | None = None
    error: str | None = None


class Health(BaseModel):
    status: Literal["ok", "down"]
    subscribed: bool
    pulls: dict[str, Pull] = Field(description="each subscription's pull loop, and the kind of its last error")
    telegram: TelegramStatus


class AgentAnswer(BaseModel):
    agent: AgentView


class TeamAgentAnswer(BaseModel):
    agent: TeamAgent


class TeamAnswer(BaseModel):
    agents: list[TeamAgent]


class BusinessChatView(model.BusinessChat):
    """A conversation's Telegram Business chat as agents see it (realtime/views.py)."""

    window_closes_at: float | None = Field(
        None, description="when Telegram stops taking the bot's messages in the chat (epoch s): 24 hours after the"
                          " customer's last message; null until the customer writes. Computed, never stored")


class ConversationView(model.Conversation):
    """A conversation as agents see it (realtime/views.py)."""

    business: BusinessChatView | None = None  # the stored chat, and its window


class ConversationAnswer(BaseModel):
    conversation: ConversationView


class ConversationsAnswer(BaseModel):
    conversations: list[ConversationView]


class MessageAnswer(BaseModel):
    message: model.Message


class MessagesAnswer(BaseModel):
    messages: list[model.Message]


class ChangeAnswer(BaseModel):
    change: Change


class TypingAnswer(BaseModel):
    sent: bool = Field(description="false when throttled: one typing action per chat per interval, for the desk")


class SearchAnswer(BaseModel):
    conversations: list[ConversationView]
    messages: list[model.Message]


class CannedAnswer(BaseModel):
    canned: Canned


class CannedListAnswer(BaseModel):
    canned: list[Canned]


class BusinessConnectionsAnswer(BaseModel):
    connections: list[model.BusinessConnection]


class OpenAPIDocument(RootModel[JSONObject]):
    """An OpenAPI 3.1 document."""
