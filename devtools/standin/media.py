"""What the stand-in can tell about an uploaded file without any imaging library.

Telegram reads a photo's dimensions, a voice note's duration and a video's size from the file
itself; the desk gets them in PhotoSize/Voice/Video. These readers look at headers only (PNG,
GIF, JPEG, WebP and BMP sizes; the Ogg granule position; the MP4 `mvhd`/`tkhd` boxes), in pure
Python, and answer None when they cannot tell. `png()` writes small images (avatars, stickers,
thumbnails) with `zlib` and `struct`.
"""

from __future__ import annotations

import mimetypes
import struct
import zlib
from collections.abc import Callable, Iterator

OCTET_STREAM = "application/octet-stream"

# Magic numbers of the formats a chat is likely to carry, most specific first.
_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\x89PNG\r\n\x1a\n", "image/png"),
    (0, b"\xff\xd8\xff", "image/jpeg"),
    (0, b"GIF87a", "image/gif"),
    (0, b"GIF89a", "image/gif"),
    (0, b"BM", "image/bmp"),
    (0, b"%PDF-", "application/pdf"),
    (0, b"OggS", "audio/ogg"),
    (0, b"ID3", "audio/mpeg"),
    (0, b"fLaC", "audio/flac"),
    (0, b"\x1aE\xdf\xa3", "video/webm"),
    (0, b"PK\x03\x04", "application/zip"),
)

# Extensions Telegram gives stored files, by MIME type (file_path ends with one of these).
_EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/bmp": "bmp",
    "audio/ogg": "oga",
    "audio/mpeg": "mp3",
    "audio/mp4": "m4a",
    "audio/flac": "flac",
    "audio/wav": "wav",
    "audio/x-wav": "wav",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/webm": "webm",
    "application/pdf": "pdf",
    "application/zip": "zip",
    "text/plain": "txt",
}

# Raster images a browser shows and that cannot carry script; everything else is served as a download.
INLINE_IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp"})


def sniff(data: bytes) -> str | None:
    """The MIME type the first bytes prove, or None."""
    for offset, magic, mime in _SIGNATURES:
        if data[offset : offset + len(magic)] == magic:
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wav"
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in (b"M4A ", b"M4B "):
            return "audio/mp4"
        return "video/quicktime" if brand == b"qt  " else "video/mp4"
    return None


def mime_type(data: bytes, filename: str | None, declared: str | None) -> str:
    """What Telegram would report: the file's content first, then its name, then what the client said."""
    sniffed = sniff(data)
    if sniffed:
        return sniffed
    if filename:
        guessed = mimetypes.guess_type(filename, strict=False)[0]
        if guessed:
            return guessed
    declared = (declared or "").split(";")[0].strip().lower()
    return declared if declared and "/" in declared else OCTET_STREAM


def extension(mime: str) -> str:
    """The extension of a stored file's path (`photos/file_3.jpg`); "bin" when unknown."""
    if mime in _EXTENSIONS:
        return _EXTENSIONS[mime]
    guessed = mimetypes.guess_extension(mime, strict=False)
    return guessed.lstrip(".") if guessed else "bin"


# --- image dimensions -------------------------------------------------------------------------------


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG, GIF, JPEG, WebP or BMP image, None for anything else."""
    try:
        if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
            return _positive(*struct.unpack(">II", data[16:24]))
        if data[:6] in (b"GIF87a", b"GIF89a"):
            return _positive(*struct.unpack("<HH", data[6:10]))
        if data[:2] == b"BM":
            width, height = struct.unpack("<ii", data[18:26])
            return _positive(width, abs(height))
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            return _webp_size(data)
        if data[:3] == b"\xff\xd8\xff":
            return _jpeg_size(data)
    except struct.error:
        return None
    return None


def _positive(width: int, height: int) -> tuple[int, int] | None:
    return (width, height) if width > 0 and height > 0 else None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return _positive(width, height)
    if chunk == b"VP8L" and data[20:21] == b"\x2f":
        bits = int.from_bytes(data[21:25], "little")
        return _positive((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return _positive(width & 0x3FFF, height & 0x3FFF)
    return None


# JPEG start-of-frame markers (baseline, progressive, lossless...): they carry the dimensions.
_SOF_MARKERS = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    index = 2
    while index + 4 <= len(data):
        if data[index] != 0xFF:
            return None
        marker = data[index + 1]
        if marker == 0xFF:  # fill byte
            index += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # markers without a length
            index += 2
            continue
        (length,) = struct.unpack(">H", data[index + 2 : index + 4])
        if marker in _SOF_MARKERS:
            height, width = struct.unpack(">HH", data[index + 5 : index + 9])
            return _positive(width, height)
        if marker == 0xDA or length < 2:  # image data starts: no frame header was found
            return None
        index += 2 + length
    return None


# --- durations and video sizes ------------------------------------------------------------------------


def ogg_duration(data: bytes) -> int | None:
    """Whole seconds of an Ogg Opus (voice note) or Vorbis file, from its last page's granule position."""
    if data[:4] != b"OggS":
        return None
    last = data.rfind(b"OggS")
    granule = struct.unpack("<q", data[last + 6 : last + 14])[0] if len(data) >= last + 14 else -1
    if granule < 0:
        return None
    rate = 48_000  # Opus always counts in 48 kHz samples
    if data[28:36] == b"OpusHead":
        granule -= struct.unpack("<H", data[38:40])[0]  # pre-skip
    elif data[28:35] == b"\x01vorbis":
        rate = struct.unpack("<I", data[40:44])[0] or rate
    return max(0, round(granule / rate))


def _boxes(data: bytes, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, body start, body end) of each ISO-BMFF box between start and end."""
    index = start
    while index + 8 <= end:
        size, kind = struct.unpack(">I4s", data[index : index + 8])
        header = 8
        if size == 1 and index + 16 <= end:
            size, header = struct.unpack(">Q", data[index + 8 : index + 16])[0], 16
        elif size == 0:
            size = end - index
        if size < header or index + size > end:
            return
        yield kind, index + header, index + size
        index += size


def mp4_info(data: bytes) -> tuple[int, int, int] | None:
    """(width, height, whole seconds) of an MP4/MOV file, from `mvhd` and the first video `tkhd`."""
    if data[4:8] != b"ftyp":
        return None
    moov = next(((s, e) for kind, s, e in _boxes(data, 0, len(data)) if kind == b"moov"), None)
    if moov is None:
        return None
    duration, width, height = 0, 0, 0
    try:
        for kind, start, end in _boxes(data, *moov):
            if kind == b"mvhd":
                if data[start] == 1:
                    timescale, length = struct.unpack(">IQ", data[start + 20 : start + 32])
                else:
                    timescale, length = struct.unpack(">II", data[start + 12 : start + 20])
                duration = round(length / timescale) if timescale else 0
            elif kind == b"trak" and not width:
                for inner, s, e in _boxes(data, start, end):
                    if inner == b"tkhd" and e - s >= 8:
                        w, h = struct.unpack(">II", data[e - 8 : e])  # 16.16 fixed point, at the end
                        width, height = w >> 16, h >> 16
    except struct.error:
        return None
    return width, height, duration


# --- writing small PNGs -----------------------------------------------------------------------------

Color = tuple[int, int, int]


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def png(width: int, height: int, row: Callable[[int], bytes], *, alpha: bool = False) -> bytes:
    """An 8-bit RGB (or RGBA) PNG; `row(y)` returns that row's width*3 (width*4) bytes."""
    raw = b"".join(b"\x00" + row(y) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 6 if alpha else 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 9)) + _chunk(b"IEND", b"")
    )


def flat_png(width: int, height: int, color: Color) -> bytes:
    """A one-colour image (thumbnails stand-ins)."""
    line = bytes(color) * width
    return png(width, height, lambda y: line)


def disc_png(size: int, background: Color | None, foreground: Color) -> bytes:
    """A square with a centred disc: a recognisable avatar or sticker, drawn a row at a time.

    A `background` of None makes it transparent (RGBA), as stickers are.
    """
    alpha = background is None
    back = bytes(4) if background is None else bytes(background)
    fore = bytes(foreground) + (b"\xff" if alpha else b"")
    radius = size * 0.38
    centre = (size - 1) / 2

    def row(y: int) -> bytes:
        dy = y - centre
        if abs(dy) > radius:
            return back * size
        half = int((radius * radius - dy * dy) ** 0.5)
        left = max(0, int(centre - half))
        right = min(size, int(centre + half) + 1)
        return back * left + fore * (right - left) + back * (size - right)

    return png(size, size, row, alpha=alpha)


def palette_color(seed: int, light: bool = False) -> Color:
    """A pleasant colour picked by a number (user id, emoji code point)."""
    palette = [(229, 115, 115), (149, 117, 205), (100, 181, 246), (77, 182, 172), (255, 183, 77), (240, 98, 146)]
    red, green, blue = palette[seed % len(palette)]
    if light:
        return (255 - (255 - red) // 3, 255 - (255 - green) // 3, 255 - (255 - blue) // 3)
    return (red, green, blue)
