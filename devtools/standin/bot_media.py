"""Files in the Bot API: sendPhoto and its siblings, getFile, the download route, profile photos.

Uploads arrive as multipart parts (python-telegram-bot's `InputFile`), or as "attach://<part>",
or as a `file_id` the stand-in handed out earlier (a re-send). Each is refused the way Telegram
refuses it (no file, empty file, not an image, over 50 MB, unknown file_id), stored under a new
file_id, and answered with a full `Message` carrying the media object. Files stay downloadable
through getFile's `file_path` at `/file/bot<token>/<file_path>`, as on api.telegram.org.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable

from flask import Blueprint, Response, jsonify
from flask.typing import ResponseReturnValue

from teledesk.telegram.limits import MAX_DOWNLOAD_BYTES

from . import media, objects
from .bot_api import Ok, caption_of, method, private_chat, reachable, reply_markup, reply_target
from .errors import BotApiError
from .files import Kind, StoredFile
from .limits import PHOTO_MAX_DIMENSIONS_SUM, PHOTO_MAX_RATIO, PROFILE_PHOTOS_LIMIT_MAX
from .params import Params, Upload
from .state import StandinState, current_state

bot_files = Blueprint("standin_bot_files", __name__)


def _integer_or_none(params: Params, name: str) -> int | None:
    value = params.integer(name)
    return value if value is not None and value >= 0 else None


def check_photo(data: bytes) -> None:
    """Telegram's refusals of a photo upload: not an image, or proportions it will not show."""
    size = media.image_size(data)
    if size is None:
        raise BotApiError.bad_request("IMAGE_PROCESS_FAILED")
    width, height = size
    if width + height > PHOTO_MAX_DIMENSIONS_SUM or max(width, height) > PHOTO_MAX_RATIO * min(width, height):
        raise BotApiError.bad_request("PHOTO_INVALID_DIMENSIONS")


def store_upload(standin: StandinState, kind: Kind, upload: Upload, params: Params | None = None) -> StoredFile:
    """Keep an upload as `kind`; sizes and durations the client states win over what the file says."""
    if kind == "photo":
        return standin.files.add_photo(upload.data, file_name=upload.filename)
    stated: dict[str, int | None] = {"width": None, "height": None, "duration": None}
    extra: dict[str, str] = {}
    if params is not None:
        stated = {name: _integer_or_none(params, name) for name in stated}
        extra = {name: value for name in ("performer", "title") if (value := params.string(name))}
    return standin.files.add(
        kind,
        upload.data,
        mime_type=media.mime_type(upload.data, upload.filename, upload.content_type),
        file_name=upload.filename,
        extra=extra,
        **stated,
    )


def _prepare_file(standin: StandinState, params: Params, kind: Kind) -> Callable[[], StoredFile]:
    """Check the file parameter now; the returned call stores it (once nothing else can refuse the send)."""
    given = params.input_file(kind)
    if given is None:
        raise BotApiError.bad_request(f"there is no {kind} in the request")
    if isinstance(given, str):
        if given.lower().startswith(("http://", "https://")):
            # Telegram would fetch the URL; the stand-in reaches no other host (see README).
            raise BotApiError.bad_request("failed to get HTTP URL content")
        stored = standin.files.get(given)
        if stored is None:
            raise BotApiError.bad_request("wrong file identifier/HTTP URL specified")
        if stored.kind != kind:
            raise BotApiError.bad_request("type of file mismatch")
        return lambda: stored
    upload = given
    if not upload.data:
        raise BotApiError.bad_request("file must be non-empty")
    if kind == "photo":
        check_photo(upload.data)
    return lambda: store_upload(standin, kind, upload, params)


def _send_media(kind: Kind) -> Callable[[StandinState, Params], Ok]:
    def send(standin: StandinState, params: Params) -> Ok:
        chat_id = private_chat(standin, params)
        caption, caption_entities = caption_of(params)
        reply_to = reply_target(standin, params, chat_id)
        markup = reply_markup(params)
        store = _prepare_file(standin, params, kind)
        reachable(standin, chat_id)
        stored = store()
        visual = kind in objects.VISUAL_KINDS
        sender = objects.bot_sender(standin.bot)
        message = standin.chats.bot_message(
            chat_id,
            lambda message_id, chat: objects.message(
                message_id,
                sender,
                chat,
                standin.now(),
                reply_to_message=reply_to,
                **{kind: stored.as_media(kind)},
                caption=caption or None,
                caption_entities=caption_entities if caption else None,
                show_caption_above_media=True if visual and params.boolean("show_caption_above_media") else None,
                has_media_spoiler=True if visual and params.boolean("has_spoiler") else None,
                reply_markup=markup,
            ),
        )
        return Ok(message)

    return send


for _name, _kind in (
    ("sendPhoto", "photo"),
    ("sendDocument", "document"),
    ("sendVideo", "video"),
    ("sendVoice", "voice"),
    ("sendAudio", "audio"),
    ("sendAnimation", "animation"),
):
    method(_name)(_send_media(_kind))  # type: ignore[arg-type]


@method("getFile")
def get_file(standin: StandinState, params: Params) -> Ok:
    file_id = params.string("file_id")
    stored = standin.files.get(file_id) if file_id else None
    if stored is None:
        raise BotApiError.bad_request("invalid file_id")
    if stored.file_size > MAX_DOWNLOAD_BYTES:
        raise BotApiError.bad_request("file is too big")
    return Ok(stored.as_file())


@method("getUserProfilePhotos")
def get_user_profile_photos(standin: StandinState, params: Params) -> Ok:
    user_id = params.integer("user_id")
    avatar = standin.avatar(user_id) if user_id is not None else None
    if user_id is None or (avatar is None and standin.chats.get(user_id) is None):
        raise BotApiError.bad_request("user not found")  # the bot has never seen this user
    offset = max(0, params.integer("offset", 0) or 0)
    limit = params.integer("limit") or PROFILE_PHOTOS_LIMIT_MAX
    limit = max(1, min(limit, PROFILE_PHOTOS_LIMIT_MAX))
    photos = [avatar.as_photo()] if avatar is not None else []
    return Ok({"total_count": len(photos), "photos": photos[offset : offset + limit]})


# --- the download route -------------------------------------------------------------------------


def file_response(stored: StoredFile) -> Response:
    """The bytes, typed; anything but a plain raster image, audio or video is a download.

    The stand-in serves files on the same origin as the customer page, so an uploaded HTML or
    SVG file must never render as a page there: `nosniff`, a sandboxing policy and
    `attachment` keep it inert.
    """
    response = Response(stored.data, mimetype=stored.mime_type)
    inline = stored.mime_type in media.INLINE_IMAGE_TYPES or stored.mime_type.startswith(("audio/", "video/"))
    if not inline:
        name = stored.file_name or stored.file_path.rsplit("/", 1)[-1]
        response.headers.set("Content-Disposition", "attachment", filename=name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


def _not_found(status: int = 404, description: str = "Not Found") -> ResponseReturnValue:
    return jsonify({"ok": False, "error_code": status, "description": description}), status


@bot_files.get("/file/bot<token>/<path:file_path>")
def download(token: str, file_path: str) -> ResponseReturnValue:
    """A file by the `file_path` getFile gave (files over 20 MB are not served, as in Telegram)."""
    standin = current_state()
    if not hmac.compare_digest(token.encode(), standin.token.encode()):
        return _not_found(401, "Unauthorized")
    stored = standin.files.by_path(file_path)
    if stored is None or stored.file_size > MAX_DOWNLOAD_BYTES:
        return _not_found()
    return file_response(stored)
